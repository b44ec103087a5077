import { DEFAULT_NORMALIZE_OPTIONS, normalizeText } from '../../text/index.js';

/**
 * Token units of a tagger. `character` tags every grapheme cluster that is not whitespace,
 * as Chinese NER data (one character per line) is labeled. `word` tags words and
 * punctuation marks, as English CoNLL data is labeled.
 */
export const TOKEN_UNITS = ['character', 'word'] as const;
export type TokenUnit = (typeof TOKEN_UNITS)[number];

/** A token of the input with its place in it, in UTF-16 code units. */
export interface SplitToken {
  text: string;
  start: number;
  end: number;
}

const GRAPHEMES = new Intl.Segmenter('zh', { granularity: 'grapheme' });
const WORDS = new Intl.Segmenter('en', { granularity: 'word' });
const WHITESPACE = /^\p{White_Space}+$/u;
const LEADING_WHITESPACE = /^\p{White_Space}+/u;
/** Controls, format characters and surrogates: the only ones normalization may remove. */
const MAYBE_INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/u;

/**
 * Splits raw `text` into the tokens a tagger labels, with offsets into `text` itself, so
 * `text.slice(start, end)` is the token. Whitespace and invisible characters (controls,
 * zero-width and bidi marks, lone surrogates: whatever normalization removes) are never
 * tokens. In `word` mode a run of punctuation is one token per character, as CoNLL-2003
 * separates `(`, `)` and `.`.
 */
export function splitTokens(text: string, unit: TokenUnit): SplitToken[] {
  const tokens: SplitToken[] = [];
  const push = (piece: string, start: number): void => {
    // A combining mark after a space makes one grapheme with it; the space is not the token's.
    const leading = LEADING_WHITESPACE.exec(piece)?.[0].length ?? 0;
    const visible = piece.slice(leading);
    if (visible === '') return;
    if (MAYBE_INVISIBLE.test(visible) && normalizeText(visible, DEFAULT_NORMALIZE_OPTIONS) === '') {
      return;
    }
    tokens.push({ text: visible, start: start + leading, end: start + piece.length });
  };
  const segmenter = unit === 'character' ? GRAPHEMES : WORDS;
  for (const { segment, index, isWordLike } of segmenter.segment(text)) {
    if (WHITESPACE.test(segment)) continue;
    if (unit === 'character' || isWordLike === true) {
      push(segment, index);
      continue;
    }
    // Punctuation and symbols: one token per grapheme cluster.
    for (const { segment: piece, index: offset } of GRAPHEMES.segment(segment)) {
      push(piece, index + offset);
    }
  }
  return tokens;
}

/**
 * Returns the vocabulary key of a token: NFKC with full-width forms mapped to ASCII, and
 * digits folded to `0` so that numbers share ids. Training and serving both call it.
 */
export function tokenKey(token: string): string {
  const normalized = normalizeText(token, DEFAULT_NORMALIZE_OPTIONS);
  return (normalized === '' ? token : normalized).replace(/\d/g, '0');
}
