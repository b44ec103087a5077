import type { CharacterNormalizer } from './character-normalizer.js';

/** Character offsets of a token in the original text, in UTF-16 code units, end exclusive. */
export interface TokenSpan {
  start: number;
  end: number;
}

export interface TokenAlignmentOptions {
  /** Normalization the tokenizer applied before splitting, one character at a time. */
  normalizeCharacter: CharacterNormalizer;
  /** Prefix of tokens that continue a word. @defaultValue `'##'` */
  continuingSubwordPrefix?: string;
  /** Token that replaces a whole word the vocabulary cannot spell. @defaultValue `'[UNK]'` */
  unknownToken?: string;
  /**
   * Added tokens that the tokenizer splits out before normalization, such as `[MASK]`. They
   * are matched verbatim in the original text.
   */
  addedTokens?: ReadonlySet<string>;
}

/** One character of the normalized text and the span of the original text it came from. */
interface NormalizedCharacter {
  character: string;
  start: number;
  end: number;
  isSpace: boolean;
  isBoundary: boolean;
}

/** Punctuation as BertPreTokenizer splits it: Unicode `P` plus every ASCII symbol. */
const PUNCTUATION = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;
const SPACE = /^\s$/u;

/**
 * Normalizes `text` one code point at a time and records where each output character came
 * from. A code point that normalizes to nothing (a combining accent, a variation selector)
 * joins the span of the character before it, so that slices keep it.
 */
function normalizeWithOffsets(
  text: string,
  normalizeCharacter: CharacterNormalizer,
): NormalizedCharacter[] {
  const output: NormalizedCharacter[] = [];
  let offset = 0;
  for (const original of text) {
    const start = offset;
    offset += original.length;
    const normalized = normalizeCharacter(original);
    if (normalized === '') {
      for (let i = output.length - 1; i >= 0 && output[i]?.end === start; i--) {
        (output[i] as NormalizedCharacter).end = offset;
      }
      continue;
    }
    for (const character of normalized) {
      const isSpace = SPACE.test(character);
      const isBoundary = isSpace || PUNCTUATION.test(character);
      output.push({ character, start, end: offset, isSpace, isBoundary });
    }
  }
  return output;
}

const SIGMA = 'σ';
const FINAL_SIGMA = 'ς';

function sameCharacter(a: string, b: string): boolean {
  if (a === b) return true;
  // Lowercasing a whole string turns a word-final Σ into ς, but one character alone into σ.
  return (a === SIGMA && b === FINAL_SIGMA) || (a === FINAL_SIGMA && b === SIGMA);
}

/** Walks the normalized text with a cursor, matching tokens in order. */
class Aligner {
  readonly #text: string;
  readonly #stream: NormalizedCharacter[];
  #cursor = 0;

  constructor(text: string, normalizeCharacter: CharacterNormalizer) {
    this.#text = text;
    this.#stream = normalizeWithOffsets(text, normalizeCharacter);
  }

  #skipSpaces(position: number): number {
    let next = position;
    while (next < this.#stream.length && this.#stream[next]?.isSpace) next++;
    return next;
  }

  #matchesAt(position: number, characters: readonly string[]): boolean {
    return characters.every((character, k) => {
      const normalized = this.#stream[position + k];
      return normalized !== undefined && sameCharacter(normalized.character, character);
    });
  }

  #spanOf(first: number, last: number): TokenSpan {
    const start = (this.#stream[first] as NormalizedCharacter).start;
    const end = (this.#stream[last] as NormalizedCharacter).end;
    return { start, end };
  }

  /** Matches a vocabulary piece at the cursor, else at the nearest later position. */
  matchPiece(piece: string): TokenSpan | null {
    const characters = [...piece];
    if (characters.length === 0) return null;
    const first = this.#skipSpaces(this.#cursor);
    for (let position = first; position < this.#stream.length; position++) {
      if (this.#stream[position]?.isSpace) continue;
      if (this.#matchesAt(position, characters)) {
        this.#cursor = position + characters.length;
        return this.#spanOf(position, this.#cursor - 1);
      }
    }
    return null;
  }

  /** Matches `[UNK]`: WordPiece emits it for one whole word, which ends at a boundary. */
  matchUnknownWord(): TokenSpan | null {
    const first = this.#skipSpaces(this.#cursor);
    const head = this.#stream[first];
    if (head === undefined) return null;
    let last = first;
    if (!head.isBoundary) {
      while (last + 1 < this.#stream.length && !this.#stream[last + 1]?.isBoundary) last++;
    }
    this.#cursor = last + 1;
    return this.#spanOf(first, last);
  }

  /** Matches an added token verbatim in the original text, after the cursor. */
  matchAddedToken(token: string): TokenSpan | null {
    const head = this.#stream[this.#cursor];
    const from = head?.start ?? this.#text.length;
    const start = this.#text.indexOf(token, from);
    if (start === -1) return null;
    const end = start + token.length;
    while (this.#cursor < this.#stream.length && (this.#stream[this.#cursor]?.start ?? 0) < end) {
      this.#cursor++;
    }
    return { start, end };
  }
}

/**
 * Aligns the tokens of one text, in order and without the tokens the post-processor adds
 * (`[CLS]`, `[SEP]`), to character offsets in the original `text`. `input.slice(start, end)`
 * is the text the token came from, whatever the normalizer changed (case, accents,
 * full-width forms, spacing around CJK characters). A token that cannot be found gets null.
 */
export function alignTokens(
  text: string,
  tokens: readonly string[],
  options: TokenAlignmentOptions,
): (TokenSpan | null)[] {
  const prefix = options.continuingSubwordPrefix ?? '##';
  const unknownToken = options.unknownToken ?? '[UNK]';
  const addedTokens = options.addedTokens ?? new Set<string>();
  const aligner = new Aligner(text, options.normalizeCharacter);

  return tokens.map((token) => {
    if (token === unknownToken) return aligner.matchUnknownWord();
    if (addedTokens.has(token)) return aligner.matchAddedToken(token);
    const piece =
      token.startsWith(prefix) && token.length > prefix.length ? token.slice(prefix.length) : token;
    return aligner.matchPiece(piece);
  });
}
