import { MaasError } from '../errors/index.js';
import { describeValue } from './describe-value.js';
import { MAX_NGRAM_ORDER, type NgramOptions } from './ngrams.js';
import { isSegmentationMode, SEGMENTATION_MODES, type SegmentationMode } from './segment.js';
import { PAD_ID, UNK_ID } from './vocabulary.js';

/** Value of the `format` field of a tokenizer file. */
export const TOKENIZER_FORMAT = 'nlp-maas/word-tokenizer';
/** The only `format_version` this build reads and writes. */
export const TOKENIZER_FORMAT_VERSION = 1;

/**
 * Contents of `tokenizer.json` beside an in-house model. Field names are snake_case because
 * this is a file format. The position of a token in `vocabulary` is its id.
 */
export interface TokenizerFile {
  format: typeof TOKENIZER_FORMAT;
  format_version: typeof TOKENIZER_FORMAT_VERSION;
  normalize: { lowercase: boolean; strip_urls: boolean; strip_html: boolean };
  segmentation: SegmentationMode;
  /** Maximum number of tokens per sequence; later tokens are dropped. */
  max_length: number;
  /** N-gram features after each token; absent for tokens only. */
  ngrams?: NgramOptions;
  padding_id: typeof PAD_ID;
  unknown_id: typeof UNK_ID;
  vocabulary: string[];
}

const NORMALIZE_FIELDS = ['lowercase', 'strip_urls', 'strip_html'] as const;

/**
 * Checks that `value` is a parsed tokenizer file and returns it typed. Unknown fields are
 * ignored. The vocabulary's entries are checked later, by `Vocabulary.fromTokens`.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` naming the first invalid field in the
 * message and in `param`.
 */
export function parseTokenizerFile(value: unknown): TokenizerFile {
  const file = requireObject(value, 'the tokenizer file');
  requireEqual(file, 'format', TOKENIZER_FORMAT);
  requireEqual(file, 'format_version', TOKENIZER_FORMAT_VERSION);

  const normalize = requireObject(file['normalize'], '"normalize"', 'normalize');
  for (const field of NORMALIZE_FIELDS) {
    if (typeof normalize[field] !== 'boolean') {
      throw invalidField(`normalize.${field}`, 'must be true or false', normalize[field]);
    }
  }
  if (!isSegmentationMode(file['segmentation'])) {
    const modes = SEGMENTATION_MODES.map((mode) => `"${mode}"`).join(' or ');
    throw invalidField('segmentation', `must be ${modes}`, file['segmentation']);
  }
  const maxLength = file['max_length'];
  if (!Number.isSafeInteger(maxLength) || (maxLength as number) < 1) {
    throw invalidField('max_length', 'must be a positive integer', maxLength);
  }
  if (file['ngrams'] !== undefined) {
    const ngrams = requireObject(file['ngrams'], '"ngrams"', 'ngrams');
    for (const [field, min] of [
      ['word', 1],
      ['char', 0],
    ] as const) {
      const order = ngrams[field];
      if (
        !Number.isSafeInteger(order) ||
        (order as number) < min ||
        (order as number) > MAX_NGRAM_ORDER
      ) {
        throw invalidField(
          `ngrams.${field}`,
          `must be an integer from ${min} to ${MAX_NGRAM_ORDER}`,
          order,
        );
      }
    }
  }
  requireEqual(file, 'padding_id', PAD_ID);
  requireEqual(file, 'unknown_id', UNK_ID);
  if (!Array.isArray(file['vocabulary'])) {
    throw invalidField('vocabulary', 'must be an array of token strings', file['vocabulary']);
  }
  return file as unknown as TokenizerFile;
}

function requireObject(value: unknown, name: string, param?: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  throw new MaasError(
    'MAAS_ERR_ARTIFACT_INVALID',
    `Invalid tokenizer file: ${name} must be a JSON object, got ${describeValue(value)}.`,
    param === undefined ? {} : { param },
  );
}

function requireEqual(file: Record<string, unknown>, field: string, expected: unknown): void {
  if (file[field] !== expected) {
    throw invalidField(field, `must be ${describeValue(expected)}`, file[field]);
  }
}

function invalidField(field: string, rule: string, actual: unknown): MaasError {
  const got = actual === undefined ? 'but it is missing' : `got ${describeValue(actual)}`;
  return new MaasError(
    'MAAS_ERR_ARTIFACT_INVALID',
    `Invalid tokenizer file: "${field}" ${rule}, ${got}.`,
    { param: field },
  );
}
