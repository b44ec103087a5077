import { MaasError } from '../../errors/index.js';
import type { Vocabulary } from '../../text/index.js';
import { tokenKey } from './token-splitter.js';

/**
 * Character features of a word tagger, as `tagger.json` stores them (snake_case because it
 * is a file format). Each word becomes one row of ids: its lower-cased word id, its shape id,
 * then up to `max_ngrams` hashed character n-gram ids (0 where a word has fewer).
 */
export interface WordFeatureConfig {
  /** Shortest character n-gram, counting the boundary marks `<` and `>`. */
  ngram_min: number;
  /** Maximum character n-gram length, counting the boundary marks. */
  ngram_max: number;
  /** Hash buckets of the n-grams; n-gram ids run from 1 to `buckets`. */
  buckets: number;
  /** N-gram ids kept per word; a longer word keeps the first and last halves. */
  max_ngrams: number;
}

/**
 * Word shapes by id, where id 0 is padding. Letters here are cased letters (`\p{Lu}`,
 * `\p{Ll}`, `\p{Lt}`). A word without them and without digits is `punctuation`, `symbol`
 * (emoji and other `\p{S}`) or `other` (uncased scripts such as Chinese).
 */
export const WORD_SHAPES = [
  '[PAD]',
  'lower',
  'upper',
  'title',
  'mixed',
  'digits',
  'letters_digits',
  'punctuation',
  'symbol',
  'other',
] as const;
export type WordShape = (typeof WORD_SHAPES)[number];

/** Columns of a feature row before the n-gram ids: word id, then shape id. */
export const WORD_FEATURE_PREFIX = 2;

const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;
const DIGIT = /\p{Nd}/u;
const PUNCTUATION = /^\p{P}+$/u;
const SYMBOL = /^(?:[\p{S}\p{P}\p{M}]|\u200d|\ufe0f)+$/u;

/** Returns the shape class of a token, from its normalized form with digits kept. */
export function wordShape(token: string): WordShape {
  const key = tokenKey(token);
  const hasDigit = DIGIT.test(key);
  const hasCased = CASED.test(key);
  if (!hasCased) {
    if (hasDigit) return /^[\p{Nd}.,\-/:]+$/u.test(key) ? 'digits' : 'letters_digits';
    if (key === '') return 'other';
    if (PUNCTUATION.test(key)) return 'punctuation';
    if (SYMBOL.test(key)) return 'symbol';
    return 'other';
  }
  if (hasDigit) return 'letters_digits';
  const letters = [...key].filter((character) => CASED.test(character));
  const upper = letters.filter((character) => UPPER.test(character)).length;
  if (upper === 0) return 'lower';
  if (upper === letters.length) return 'upper';
  const [first, ...rest] = letters;
  if (UPPER.test(first as string) && rest.every((character) => LOWER.test(character))) {
    return 'title';
  }
  return 'mixed';
}

/**
 * Returns the vocabulary key of a word for a tagger with character features: the
 * {@link tokenKey} in lower case, because the shape id carries the casing.
 */
export function wordKey(token: string): string {
  return tokenKey(token).toLowerCase();
}

/** Returns the 32-bit FNV-1a hash of the UTF-8 bytes of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Returns the hashed ids (1 to `buckets`) of the character n-grams of `<key>`, where `key` is
 * the {@link wordKey}. N-grams count code points, so an emoji is never split into surrogates.
 * They are ordered by start position, then length. When there are more than `max_ngrams`,
 * the first and last halves are kept, so prefixes and suffixes survive.
 */
export function charNgramIds(key: string, config: Readonly<WordFeatureConfig>): number[] {
  const characters = ['<', ...key, '>'];
  const ids: number[] = [];
  for (let start = 0; start < characters.length; start++) {
    for (let n = config.ngram_min; n <= config.ngram_max; n++) {
      if (start + n > characters.length) break;
      ids.push((fnv1a(characters.slice(start, start + n).join('')) % config.buckets) + 1);
    }
  }
  if (ids.length <= config.max_ngrams) return ids;
  const head = Math.ceil(config.max_ngrams / 2);
  return [...ids.slice(0, head), ...ids.slice(ids.length - (config.max_ngrams - head))];
}

/** Returns the number of ids per word: word id, shape id and `max_ngrams` n-gram ids. */
export function featureWidth(config: Readonly<WordFeatureConfig>): number {
  return WORD_FEATURE_PREFIX + config.max_ngrams;
}

/**
 * Encodes `tokens` as `[tokens, featureWidth]` ids, row-major. Training, export checks and
 * serving all call it, so a model gets the same ids everywhere.
 */
export function encodeWordFeatures(
  tokens: readonly string[],
  vocabulary: Vocabulary,
  config: Readonly<WordFeatureConfig>,
): Int32Array {
  const width = featureWidth(config);
  const rows = new Int32Array(tokens.length * width);
  tokens.forEach((token, index) => {
    const key = wordKey(token);
    const offset = index * width;
    rows[offset] = vocabulary.idOf(key);
    rows[offset + 1] = WORD_SHAPES.indexOf(wordShape(token));
    rows.set(charNgramIds(key, config), offset + WORD_FEATURE_PREFIX);
  });
  return rows;
}

/**
 * Turns tokens into the ids a tagger's first layer takes: one vocabulary id per token for a
 * plain embedding (`width` 1), or a feature row per token for a word tagger with character
 * features.
 */
export interface TokenEncoder {
  readonly width: number;
  /** Vocabulary key of a token, as the vocabulary is built from. */
  key(token: string): string;
  /** Returns `[tokens, width]` ids, row-major. */
  encode(tokens: readonly string[]): Int32Array;
}

/** Returns the function that maps a token to its vocabulary key, with or without features. */
export function vocabularyKeyOf(
  features: Readonly<WordFeatureConfig> | null,
): (token: string) => string {
  return features === null ? tokenKey : wordKey;
}

/** Creates the encoder of a tagger; `features` null gives plain vocabulary ids. */
export function createTokenEncoder(
  vocabulary: Vocabulary,
  features: Readonly<WordFeatureConfig> | null,
): TokenEncoder {
  if (features === null) {
    return {
      width: 1,
      key: tokenKey,
      encode: (tokens) => Int32Array.from(tokens, (token) => vocabulary.idOf(tokenKey(token))),
    };
  }
  return {
    width: featureWidth(features),
    key: wordKey,
    encode: (tokens) => encodeWordFeatures(tokens, vocabulary, features),
  };
}

/**
 * Checks a `word_features` value read from a file.
 *
 * @returns what the value must be, for an error message, or null when it is valid.
 */
export function checkWordFeatureConfig(value: unknown): string | null {
  const expected = 'an object with positive integers ngram_min ≤ ngram_max, buckets and max_ngrams';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return expected;
  const fields = value as Record<string, unknown>;
  for (const field of ['ngram_min', 'ngram_max', 'buckets', 'max_ngrams'] as const) {
    const number = fields[field];
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) return expected;
  }
  return (fields['ngram_min'] as number) > (fields['ngram_max'] as number) ? expected : null;
}

/** Hyperparameters of the character features of a word tagger. */
export interface WordFeatureHyperparameters {
  /**
   * Whether a `word` tagger adds character n-gram and shape embeddings to the word
   * embedding. `character` taggers never do.
   */
  characterFeatures: boolean;
  ngramMin: number;
  ngramMax: number;
  ngramBuckets: number;
  /** N-gram ids kept per word; 2–4-grams of a 10-letter word with its marks are 33. */
  maxNgrams: number;
  ngramEmbeddingDim: number;
  shapeEmbeddingDim: number;
}

export const DEFAULT_WORD_FEATURE_HYPERPARAMETERS: Readonly<WordFeatureHyperparameters> =
  Object.freeze({
    characterFeatures: true,
    ngramMin: 2,
    ngramMax: 4,
    ngramBuckets: 20_000,
    maxNgrams: 32,
    ngramEmbeddingDim: 32,
    shapeEmbeddingDim: 8,
  });

/**
 * Returns the feature config that `tagger.json` stores, or null when the tagger uses plain
 * vocabulary ids: a `character` unit, or `characterFeatures` off.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` when an n-gram setting is not a positive
 * integer or `ngramMin` exceeds `ngramMax`.
 */
export function wordFeatureConfig(
  hyperparameters: Readonly<WordFeatureHyperparameters> & { unit: 'character' | 'word' },
): WordFeatureConfig | null {
  if (hyperparameters.unit !== 'word' || !hyperparameters.characterFeatures) return null;
  const config = {
    ngram_min: hyperparameters.ngramMin,
    ngram_max: hyperparameters.ngramMax,
    buckets: hyperparameters.ngramBuckets,
    max_ngrams: hyperparameters.maxNgrams,
  };
  const expected = checkWordFeatureConfig(config);
  if (expected !== null) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `invalid character n-gram settings ${JSON.stringify(config)}: expected ${expected}; check --ngram-min, --ngram-max, --ngram-buckets and --max-ngrams`,
      { param: 'ngram' },
    );
  }
  return config;
}
