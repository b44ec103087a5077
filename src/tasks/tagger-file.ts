import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MaasError } from '../errors/index.js';
import type { CrfParameters } from '../training/tagging/crf.js';
import { TOKEN_UNITS, type TokenUnit } from '../training/tagging/token-splitter.js';
import {
  checkWordFeatureConfig,
  type WordFeatureConfig,
} from '../training/tagging/word-features.js';

/** File of a tagger version with its vocabulary, tags and CRF weights. */
export const TAGGER_FILE = 'tagger.json';
export const TAGGER_FORMAT = 'nlp-maas/tagger';
export const TAGGER_FORMAT_VERSION = 1;

/** Contents of {@link TAGGER_FILE} (snake_case because it is a file format). */
export interface TaggerFile {
  format: typeof TAGGER_FORMAT;
  format_version: typeof TAGGER_FORMAT_VERSION;
  unit: TokenUnit;
  /** Maximum tokens per window the model runs; longer inputs are tagged window by window. */
  max_length: number;
  /** Token keys by id; ids 0 and 1 are `[PAD]` and `[UNK]`. */
  vocabulary: string[];
  /** Tags by output index. */
  tags: string[];
  /** CRF weights, or null for a softmax tagger. */
  crf: CrfParameters | null;
  /**
   * Character features of a `word` tagger, whose graph takes a feature row per token;
   * absent when it takes one vocabulary id per token.
   *
   * NOTE: the format version stays 1 with this field, so a server built before it ignores
   * the field and fails with a shape error when it runs the graph.
   */
  word_features?: WordFeatureConfig;
}

/**
 * Reads and checks `tagger.json` of a version folder.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` naming the file and the invalid field.
 */
export async function readTaggerFile(dir: string): Promise<TaggerFile> {
  const path = join(dir, TAGGER_FILE);
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `cannot read ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const invalid = (field: string, expected: string): MaasError =>
    new MaasError('MAAS_ERR_ARTIFACT_INVALID', `${path}: ${field} must be ${expected}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('the file', 'a JSON object');
  }

  if (value['format'] !== TAGGER_FORMAT || value['format_version'] !== TAGGER_FORMAT_VERSION) {
    throw invalid('format', `"${TAGGER_FORMAT}" version ${TAGGER_FORMAT_VERSION}`);
  }
  if (!(TOKEN_UNITS as readonly unknown[]).includes(value['unit'])) {
    throw invalid('unit', TOKEN_UNITS.join(' or '));
  }
  const maxLength = value['max_length'];
  if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1) {
    throw invalid('max_length', 'a positive integer');
  }

  for (const field of ['vocabulary', 'tags'] as const) {
    const list = value[field];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((item) => typeof item === 'string')
    ) {
      throw invalid(field, 'a non-empty list of strings');
    }
  }

  const tagCount = (value['tags'] as string[]).length;
  const crf = value['crf'];
  if (crf !== null && !isCrf(crf, tagCount)) {
    throw invalid('crf', `null or {transitions, start, end} for ${tagCount} tags`);
  }
  if (value['word_features'] !== undefined) {
    const problem = checkWordFeatureConfig(value['word_features']);
    if (problem !== null) throw invalid('word_features', problem);
    if (value['unit'] !== 'word') throw invalid('unit', 'word when word_features is present');
  }
  return value as unknown as TaggerFile;
}

function isCrf(value: unknown, tagCount: number): value is CrfParameters {
  if (value === null || typeof value !== 'object') return false;
  const { transitions, start, end } = value as Record<string, unknown>;
  const isRow = (row: unknown): boolean =>
    Array.isArray(row) && row.length === tagCount && row.every((item) => typeof item === 'number');
  return (
    Array.isArray(transitions) &&
    transitions.length === tagCount &&
    transitions.every(isRow) &&
    isRow(start) &&
    isRow(end)
  );
}
