import { segmentWords } from './segment-window.js';

/** The ways {@link segment} splits text into tokens. */
export const SEGMENTATION_MODES = ['word', 'char'] as const;

/**
 * `word`: words as `Intl.Segmenter` finds them, with dictionary-based boundaries for Chinese
 * and Japanese. `char`: one token per Han, Hiragana, Katakana or Hangul character, and whole
 * words for other scripts and numbers.
 */
export type SegmentationMode = (typeof SEGMENTATION_MODES)[number];

const GRAPHEME_SEGMENTER = new Intl.Segmenter('zh', { granularity: 'grapheme' });

const WHITESPACE_ONLY_PATTERN = /^\p{White_Space}+$/u;

// Script_Extensions rather than Script also matches characters the scripts share, such as
// the Katakana-Hiragana prolonged sound mark ー.
const CHARACTER_TOKEN_SCRIPT_PATTERN =
  /[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script_Extensions=Hangul}]/u;

/** Checks that `value` is one of {@link SEGMENTATION_MODES}. */
export function isSegmentationMode(value: unknown): value is SegmentationMode {
  return (SEGMENTATION_MODES as readonly unknown[]).includes(value);
}

/**
 * Splits `text` into tokens. Words and punctuation are both tokens, because punctuation such
 * as `!` carries sentiment, and whitespace is dropped. A token splits no grapheme cluster
 * shorter than 256 code units, so an emoji with a skin tone or a ZWJ family stays one token.
 *
 * Call `normalizeText` first, as the tokenizer does.
 */
export function segment(text: string, mode: SegmentationMode): string[] {
  return [...iterateTokens(text, mode)];
}

/**
 * Yields the tokens of {@link segment} one at a time, so a caller that needs only the first
 * tokens of a long text stops segmenting early.
 */
export function* iterateTokens(text: string, mode: SegmentationMode): Generator<string> {
  for (const { text: segmentText } of segmentWords(text)) {
    if (WHITESPACE_ONLY_PATTERN.test(segmentText)) continue;
    if (mode === 'char' && CHARACTER_TOKEN_SCRIPT_PATTERN.test(segmentText)) {
      yield* splitCharacterTokens(segmentText);
    } else {
      yield segmentText;
    }
  }
}

/**
 * Splits a word segment that contains Han, Hiragana, Katakana or Hangul into one token per
 * such grapheme cluster, keeping runs of other clusters (such as `A` in `A股`) together.
 */
function* splitCharacterTokens(word: string): Generator<string> {
  let run = '';
  for (const { segment: cluster } of GRAPHEME_SEGMENTER.segment(word)) {
    if (!CHARACTER_TOKEN_SCRIPT_PATTERN.test(cluster)) {
      run += cluster;
      continue;
    }
    if (run !== '') yield run;
    run = '';
    yield cluster;
  }
  if (run !== '') yield run;
}
