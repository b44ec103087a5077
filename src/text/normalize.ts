import { stripHtml } from './html.js';

/** Optional steps of {@link normalizeText}; the other steps always run. */
export interface NormalizeOptions {
  /** Whether to lowercase with the locale-independent `String.prototype.toLowerCase`. */
  lowercase: boolean;
  /** Whether to remove `http://`, `https://` and `www.` URLs. */
  stripUrls: boolean;
  /** Whether to remove HTML tags, comments and scripts and decode character references. */
  stripHtml: boolean;
}

/** Normalization with every optional step switched off. */
export const DEFAULT_NORMALIZE_OPTIONS: Readonly<NormalizeOptions> = Object.freeze({
  lowercase: false,
  stripUrls: false,
  stripHtml: false,
});

const LONE_SURROGATE_PATTERN =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// URLs end at the first character outside the ASCII set RFC 3986 allows, because Chinese text
// often follows a URL with no space (`详情见http://t.cn/abc好评`). A non-ASCII path is cut there.
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;
const URL_TRAILING_PUNCTUATION = '.,;:!?\'"';

const FULL_WIDTH_PATTERN = /[\uff01-\uff5e\u3000]/g;
const FULL_WIDTH_OFFSET = 0xfee0;

// Control characters that are Unicode White_Space (tab, line feed, vertical tab, form feed,
// carriage return, next line) separate words, so they become spaces. The others are removed.
const WHITESPACE_CONTROL_PATTERN = /[\t\n\v\f\r\u0085]/g;
const CONTROL_PATTERN = /\p{Cc}/gu;

// Soft hyphen, Arabic letter mark, zero-width space and non-joiner, bidi marks, embeddings,
// overrides and isolates, word joiner, invisible math operators and the byte order mark.
const INVISIBLE_FORMAT_PATTERN =
  /[\u00ad\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

// U+FE0F (emoji presentation) is kept after a code point with the Emoji property, which
// includes the digits, `#` and `*` of keycap sequences such as 1️⃣.
const STRAY_EMOJI_SELECTOR_PATTERN = /(?<!\p{Emoji})\ufe0f/gu;

// A zero-width joiner is kept only inside an emoji ZWJ sequence: after a pictograph, a skin
// tone modifier or U+FE0F following a pictograph, and before a pictograph.
const STRAY_ZWJ_PATTERN =
  /(?<![\p{Extended_Pictographic}\p{Emoji_Modifier}]\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})/gu;

const WHITESPACE_RUN_PATTERN = /\p{White_Space}+/gu;

/**
 * Normalizes `text` for tokenization. Training and serving both call this, so any change to
 * it changes the tokens that a saved model receives. The steps, in order:
 *
 * 1. Remove lone surrogates.
 * 2. Strip HTML, then URLs, if the options request it.
 * 3. Apply Unicode NFKC and map full-width ASCII and the ideographic space to ASCII.
 * 4. Replace whitespace control characters with spaces, and remove other control characters
 *    and invisible format characters. Zero-width joiners and U+FE0F survive inside emoji.
 * 5. Collapse whitespace runs to one space and trim.
 * 6. Lowercase, if the options request it.
 */
export function normalizeText(text: string, options: NormalizeOptions): string {
  // Lone surrogates go first so that removing a character between two halves cannot pair
  // them into a new code point.
  let result = text.replace(LONE_SURROGATE_PATTERN, '');
  if (options.stripHtml) result = stripHtml(result);
  if (options.stripUrls) result = stripUrls(result);
  result = result.normalize('NFKC');
  result = toHalfWidth(result);
  result = removeInvisibleCharacters(result);
  result = result.replace(WHITESPACE_RUN_PATTERN, ' ').trim();
  if (options.lowercase) result = result.toLowerCase();
  return result;
}

/**
 * Replaces each URL with a space. Sentence punctuation after a URL and closing brackets that
 * have no opening bracket inside the URL stay in the text.
 */
function stripUrls(text: string): string {
  return text.replace(URL_PATTERN, (url) => ' ' + url.slice(findUrlEnd(url)));
}

function findUrlEnd(match: string): number {
  let parenthesisBalance = countOf(match, '(') - countOf(match, ')');
  let bracketBalance = countOf(match, '[') - countOf(match, ']');
  let end = match.length;
  while (end > 0) {
    const last = match[end - 1] as string;
    if (URL_TRAILING_PUNCTUATION.includes(last)) {
      end -= 1;
    } else if (last === ')' && parenthesisBalance < 0) {
      parenthesisBalance += 1;
      end -= 1;
    } else if (last === ']' && bracketBalance < 0) {
      bracketBalance += 1;
      end -= 1;
    } else {
      break;
    }
  }
  return end;
}

function countOf(text: string, character: string): number {
  let count = 0;
  for (const current of text) if (current === character) count += 1;
  return count;
}

// NFKC already maps these characters, so this step changes text only if the normalization
// step is ever removed or replaced. It is kept so full-width input never reaches the segmenter.
function toHalfWidth(text: string): string {
  return text.replace(FULL_WIDTH_PATTERN, (character) =>
    character === '\u3000' ? ' ' : String.fromCharCode(character.charCodeAt(0) - FULL_WIDTH_OFFSET),
  );
}

function removeInvisibleCharacters(text: string): string {
  return text
    .replace(WHITESPACE_CONTROL_PATTERN, ' ')
    .replace(CONTROL_PATTERN, '')
    .replace(INVISIBLE_FORMAT_PATTERN, '')
    .replace(STRAY_EMOJI_SELECTOR_PATTERN, '')
    .replace(STRAY_ZWJ_PATTERN, '');
}
