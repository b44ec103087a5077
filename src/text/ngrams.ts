/**
 * N-gram features for bag-of-n-grams models such as fastText: besides each token, the
 * n-grams of consecutive tokens (`word`) and of consecutive characters (`char`).
 */
export interface NgramOptions {
  /** Maximum number of tokens joined into one feature. 1 keeps single tokens only. */
  word: number;
  /** Maximum number of characters kept as one feature. 0 adds no character features. */
  char: number;
}

/** Tokens only, as sequence models use them. */
export const NO_NGRAMS: Readonly<NgramOptions> = Object.freeze({ word: 1, char: 0 });

/** Largest order accepted for either kind of n-gram. */
export const MAX_NGRAM_ORDER = 5;

const GRAPHEME_SEGMENTER = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** Joins the tokens of a word n-gram. Tokens never hold white space, so no n-gram is a token. */
const WORD_NGRAM_SEPARATOR = ' ';

/**
 * Wraps a character n-gram, as fastText marks word boundaries. Segmentation makes `<` and `>`
 * tokens of their own, so `<…>` is never a token.
 */
export function charNgramFeature(characters: string): string {
  return `<${characters}>`;
}

/** Returns whether `options` adds any feature to the tokens. */
export function hasNgrams(options: Readonly<NgramOptions>): boolean {
  return options.word > 1 || options.char > 0;
}

/**
 * Yields each token followed by the word n-grams that end with it and the character n-grams
 * that end inside it. Features follow the text's order, so truncating the output drops the end
 * of the text rather than one kind of feature. Character n-grams run across token boundaries
 * and count grapheme clusters, so an emoji is one character.
 */
export function* withNgrams(
  tokens: Iterable<string>,
  options: Readonly<NgramOptions>,
): Generator<string> {
  const recentTokens: string[] = [];
  const recentChars: string[] = [];
  for (const token of tokens) {
    yield token;
    if (options.word > 1) {
      recentTokens.push(token);
      if (recentTokens.length > options.word) recentTokens.shift();
      let ngram = token;
      for (let start = recentTokens.length - 2; start >= 0; start--) {
        ngram = `${recentTokens[start] as string}${WORD_NGRAM_SEPARATOR}${ngram}`;
        yield ngram;
      }
    }
    if (options.char > 0) {
      for (const character of graphemes(token)) {
        recentChars.push(character);
        if (recentChars.length > options.char) recentChars.shift();
        let ngram = '';
        for (let start = recentChars.length - 1; start >= 0; start--) {
          ngram = `${recentChars[start] as string}${ngram}`;
          yield charNgramFeature(ngram);
        }
      }
    }
  }
}

/**
 * Code units that are each a grapheme cluster of their own, whatever follows them. These are
 * ASCII and Latin letters below the combining marks at U+0300, and CJK symbols, kana and
 * ideographs without the combining marks U+302A–U+302F, U+3099 and U+309A.
 */
const SINGLE_UNIT_GRAPHEMES =
  /^[\u0020-\u007e\u00a0-\u02ff\u3000-\u3029\u3030-\u3098\u309b-\u9fff]*$/;

/** Splits `token` into grapheme clusters, without `Intl.Segmenter` where each unit is one. */
function graphemes(token: string): Iterable<string> {
  if (SINGLE_UNIT_GRAPHEMES.test(token)) return token;
  return Array.from(GRAPHEME_SEGMENTER.segment(token), (part) => part.segment);
}
