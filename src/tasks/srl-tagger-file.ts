import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MaasError } from '../errors/index.js';
import { TAGGER_FILE } from './tagger-file.js';

/** Model task of semantic role taggers trained here. */
export const SEMANTIC_ROLE_LABELING_TASK = 'semantic-role-labeling';

export const SRL_TAGGER_FORMAT = 'nlp-maas/srl-tagger';
export const SRL_TAGGER_FORMAT_VERSION = 1;

/**
 * Contents of `tagger.json` of a semantic role tagger (snake_case because it is a file
 * format). Tokens are words, split as the `word` unit of the entity taggers splits them.
 */
export interface SrlTaggerFile {
  format: typeof SRL_TAGGER_FORMAT;
  format_version: typeof SRL_TAGGER_FORMAT_VERSION;
  /** Maximum tokens the model runs at once; longer inputs are cut around the predicate. */
  max_length: number;
  /** Token keys by id; ids 0 and 1 are `[PAD]` and `[UNK]`. */
  vocabulary: string[];
  /** Role labels by output index, with {@link SrlTaggerFile.no_role} and the predicate label. */
  roles: string[];
  /** Label of a token that is no argument, `O`. */
  no_role: string;
  /** Label of the predicate token itself, `V`. */
  predicate_role: string;
}

/**
 * Reads and checks `tagger.json` of a semantic role tagger's version folder.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` naming the file and the invalid field.
 */
export async function readSrlTaggerFile(dir: string): Promise<SrlTaggerFile> {
  const path = join(dir, TAGGER_FILE);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `cannot read ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const invalid = (field: string, expected: string): MaasError =>
    new MaasError('MAAS_ERR_ARTIFACT_INVALID', `${path}: ${field} must be ${expected}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('the file', 'a JSON object');
  }

  const file = value as Record<string, unknown>;
  if (
    file['format'] !== SRL_TAGGER_FORMAT ||
    file['format_version'] !== SRL_TAGGER_FORMAT_VERSION
  ) {
    throw invalid('format', `"${SRL_TAGGER_FORMAT}" version ${SRL_TAGGER_FORMAT_VERSION}`);
  }

  const maxLength = file['max_length'];
  if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1) {
    throw invalid('max_length', 'a positive integer');
  }

  for (const field of ['vocabulary', 'roles'] as const) {
    const list = file[field];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((item) => typeof item === 'string')
    ) {
      throw invalid(field, 'a non-empty list of strings');
    }
  }

  const roles = file['roles'] as string[];
  for (const field of ['no_role', 'predicate_role'] as const) {
    const label = file[field];
    if (typeof label !== 'string' || !roles.includes(label)) {
      throw invalid(field, 'one of the roles');
    }
  }

  return file as unknown as SrlTaggerFile;
}
