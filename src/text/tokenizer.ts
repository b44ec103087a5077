import { MaasError } from '../errors/index.js';
import { describeValue } from './describe-value.js';
import { normalizeText, type NormalizeOptions } from './normalize.js';
import { hasNgrams, MAX_NGRAM_ORDER, NO_NGRAMS, withNgrams, type NgramOptions } from './ngrams.js';
import { isSegmentationMode, iterateTokens, type SegmentationMode } from './segment.js';
import {
  parseTokenizerFile,
  TOKENIZER_FORMAT,
  TOKENIZER_FORMAT_VERSION,
  type TokenizerFile,
} from './tokenizer-file.js';
import { PAD_ID, UNK_ID, Vocabulary, type VocabularyOptions } from './vocabulary.js';

/** Settings that, with the vocabulary, fix how a tokenizer turns text into ids. */
export interface TokenizerConfig {
  normalize: NormalizeOptions;
  segmentation: SegmentationMode;
  /** Maximum number of tokens per sequence; {@link Tokenizer.encode} drops later tokens. */
  maxLength: number;
  /**
   * N-gram features added after each token, for bag-of-n-grams models. Defaults to
   * {@link NO_NGRAMS}. `maxLength` counts these features as tokens.
   */
  ngrams?: NgramOptions;
}

/** Ids of one text, without padding. */
export interface Encoding {
  ids: number[];
  /** 1 for every id, so that it lines up with {@link BatchEncoding.attentionMask}. */
  attentionMask: number[];
  /** Number of tokens kept, at most `maxLength`. 0 if the normalized text has no tokens. */
  length: number;
  /** Whether the text had more than `maxLength` tokens. */
  truncated: boolean;
}

/**
 * Ids of several texts as `[batchSize, sequenceLength]` row-major matrices. Each row is padded
 * at the end with {@link PAD_ID}, because ONNX recurrent operators take `sequence_lens` and
 * assume the valid steps come first.
 */
export interface BatchEncoding {
  ids: Int32Array;
  /** 1 for real tokens and 0 for padding, in the same layout as `ids`. */
  attentionMask: Int32Array;
  batchSize: number;
  sequenceLength: number;
  /** Number of real tokens in each row; 0 for a text with no tokens. */
  lengths: number[];
}

/**
 * `longest` pads to the longest sequence in the batch, at least 1 so that no tensor has a
 * zero-width dimension. `max_length` pads to the tokenizer's `maxLength`.
 */
export type PaddingStrategy = 'longest' | 'max_length';

/** Options of {@link Tokenizer.encodeBatch}. */
export interface EncodeBatchOptions {
  /** Defaults to `longest`. */
  padding?: PaddingStrategy;
}

/**
 * Word-level tokenizer: normalization, segmentation and a vocabulary. Training and serving
 * share it through `tokenizer.json`, so a served model receives the ids it was trained on.
 */
export class Tokenizer {
  readonly config: Readonly<TokenizerConfig>;
  readonly vocabulary: Vocabulary;

  /** @throws MaasError `MAAS_ERR_TRAINING_INVALID` if a config value is invalid. */
  constructor(config: TokenizerConfig, vocabulary: Vocabulary) {
    validateConfig(config);
    this.config = Object.freeze({
      normalize: Object.freeze({ ...config.normalize }),
      segmentation: config.segmentation,
      maxLength: config.maxLength,
      ngrams: Object.freeze({ ...(config.ngrams ?? NO_NGRAMS) }),
    });
    this.vocabulary = vocabulary;
  }

  /**
   * Builds a tokenizer whose vocabulary counts every token of `texts`, including tokens past
   * `maxLength`.
   *
   * @throws MaasError `MAAS_ERR_TRAINING_INVALID` if a config value or vocabulary option is
   * invalid.
   */
  static train(
    texts: Iterable<string>,
    config: TokenizerConfig,
    vocabularyOptions: VocabularyOptions,
  ): Tokenizer {
    validateConfig(config);
    const tokenLists = mapIterable(texts, (text) => tokenizeWith(config, text));
    return new Tokenizer(config, Vocabulary.build(tokenLists, vocabularyOptions));
  }

  /**
   * Creates a tokenizer from a parsed `tokenizer.json`.
   *
   * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` naming the invalid field.
   */
  static fromJSON(value: unknown): Tokenizer {
    const file = parseTokenizerFile(value);
    const config: TokenizerConfig = {
      normalize: {
        lowercase: file.normalize.lowercase,
        stripUrls: file.normalize.strip_urls,
        stripHtml: file.normalize.strip_html,
      },
      segmentation: file.segmentation,
      maxLength: file.max_length,
      ...(file.ngrams === undefined ? {} : { ngrams: { ...file.ngrams } }),
    };
    return new Tokenizer(config, Vocabulary.fromTokens(file.vocabulary));
  }

  /**
   * Normalizes and segments `text` into all of its tokens, n-gram features included, ignoring
   * `maxLength`.
   */
  tokenize(text: string): string[] {
    return tokenizeWith(this.config, text);
  }

  /** Encodes `text` into the ids of its first `maxLength` tokens, without padding. */
  encode(text: string): Encoding {
    const normalized = normalizeText(text, this.config.normalize);
    const ids: number[] = [];
    let truncated = false;
    // Stops after one token past the limit, so a long text is not segmented to its end.
    for (const token of featuresOf(this.config, normalized)) {
      if (ids.length === this.config.maxLength) {
        truncated = true;
        break;
      }
      ids.push(this.vocabulary.idOf(token));
    }
    return { ids, attentionMask: ids.map(() => 1), length: ids.length, truncated };
  }

  /**
   * Encodes `texts` into padded matrices, one row per text in order.
   *
   * @throws MaasError `MAAS_ERR_REQUEST_INVALID` if `options.padding` is not a
   * {@link PaddingStrategy}.
   */
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): BatchEncoding {
    return this.pad(
      texts.map((text) => this.encode(text)),
      options,
    );
  }

  /**
   * Pads encodings of {@link Tokenizer.encode} into matrices, one row per encoding in order,
   * as {@link Tokenizer.encodeBatch} does.
   *
   * @throws MaasError `MAAS_ERR_REQUEST_INVALID` if `options.padding` is not a
   * {@link PaddingStrategy}.
   */
  pad(encodings: readonly Encoding[], options: EncodeBatchOptions = {}): BatchEncoding {
    const lengths = encodings.map((encoding) => encoding.length);
    const sequenceLength = this.#paddedLength(lengths, options.padding ?? 'longest');
    const ids = new Int32Array(encodings.length * sequenceLength).fill(PAD_ID);
    const attentionMask = new Int32Array(encodings.length * sequenceLength);
    encodings.forEach((encoding, row) => {
      const rowStart = row * sequenceLength;
      ids.set(encoding.ids, rowStart);
      attentionMask.fill(1, rowStart, rowStart + encoding.length);
    });
    return { ids, attentionMask, batchSize: encodings.length, sequenceLength, lengths };
  }

  /** Returns the contents of `tokenizer.json`; `JSON.stringify(tokenizer)` calls this. */
  toJSON(): TokenizerFile {
    const { normalize, segmentation, maxLength, ngrams } = this.config;
    return {
      format: TOKENIZER_FORMAT,
      format_version: TOKENIZER_FORMAT_VERSION,
      normalize: {
        lowercase: normalize.lowercase,
        strip_urls: normalize.stripUrls,
        strip_html: normalize.stripHtml,
      },
      segmentation,
      max_length: maxLength,
      ...(ngrams === undefined || !hasNgrams(ngrams) ? {} : { ngrams: { ...ngrams } }),
      padding_id: PAD_ID,
      unknown_id: UNK_ID,
      vocabulary: [...this.vocabulary.tokens()],
    };
  }

  #paddedLength(lengths: readonly number[], padding: PaddingStrategy): number {
    if (padding === 'max_length') return this.config.maxLength;
    if (padding === 'longest')
      return lengths.reduce((longest, length) => Math.max(longest, length), 1);
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `Padding must be "longest" or "max_length", got ${JSON.stringify(padding)}.`,
      { param: 'padding' },
    );
  }
}

function tokenizeWith(config: Readonly<TokenizerConfig>, text: string): string[] {
  return [...featuresOf(config, normalizeText(text, config.normalize))];
}

function featuresOf(config: Readonly<TokenizerConfig>, normalized: string): Iterable<string> {
  const tokens = iterateTokens(normalized, config.segmentation);
  const ngrams = config.ngrams ?? NO_NGRAMS;
  return hasNgrams(ngrams) ? withNgrams(tokens, ngrams) : tokens;
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

function validateConfig(config: TokenizerConfig): void {
  const { normalize, segmentation, maxLength } = config;
  const flags = [normalize?.lowercase, normalize?.stripUrls, normalize?.stripHtml];
  if (flags.some((flag) => typeof flag !== 'boolean')) {
    throw invalidConfig(
      'normalize',
      'must set lowercase, stripUrls and stripHtml to true or false',
    );
  }
  if (!isSegmentationMode(segmentation)) {
    throw invalidConfig(
      'segmentation',
      `must be "word" or "char", got ${describeValue(segmentation)}`,
    );
  }
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw invalidConfig('maxLength', `must be a positive integer, got ${maxLength}`);
  }
  const ngrams = config.ngrams ?? NO_NGRAMS;
  const orders = [
    ['ngrams.word', ngrams.word, 1],
    ['ngrams.char', ngrams.char, 0],
  ] as const;
  for (const [param, order, min] of orders) {
    if (!Number.isSafeInteger(order) || order < min || order > MAX_NGRAM_ORDER) {
      throw invalidConfig(
        param,
        `must be an integer from ${min} to ${MAX_NGRAM_ORDER}, got ${describeValue(order)}`,
      );
    }
  }
}

function invalidConfig(param: string, rule: string): MaasError {
  return new MaasError('MAAS_ERR_TRAINING_INVALID', `Tokenizer ${param} ${rule}.`, { param });
}
