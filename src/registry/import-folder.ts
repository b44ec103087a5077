import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { MaasError } from '../errors/index.js';
import { copyFiles, digestDirectory } from '../storage/index.js';
import { assertModelName } from './reference.js';
import { MODEL_CARD_FILE, type CreateVersionInput } from './types.js';

/** Options of {@link Registry.importVersionFromFolder}. */
export interface ImportFolderOptions {
  /** Model name, overriding the `name` field of the folder's model card. */
  name?: string;
  /**
   * Alias to set on the new version if the model has no alias of that name yet.
   * @defaultValue `production`
   */
  alias?: string;
}

/** A folder to import: the create input and the digest of its files. */
export interface FolderImport {
  input: CreateVersionInput;
  digest: string;
}

/**
 * Reads the model card of `folder` and digests its other files, for import as a new version.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` when `model-card.json` is missing, is not a JSON
 *   object, or lacks a string `task`, `runtime` or (without `options.name`) `name`.
 */
export async function prepareFolderImport(
  folder: string,
  options: ImportFolderOptions,
  alias: string,
): Promise<FolderImport> {
  const cardFile = join(folder, MODEL_CARD_FILE);
  const card = await readModelCard(cardFile);
  const name = options.name ?? requireString(card, 'name', cardFile);
  assertModelName(name);
  const { digest } = await digestDirectory(folder, { exclude: [MODEL_CARD_FILE] });
  const input: CreateVersionInput = {
    name,
    task: requireString(card, 'task', cardFile),
    runtime: requireString(card, 'runtime', cardFile),
    modelCard: card,
    writeFiles: (dir) => copyFiles(folder, dir, { exclude: [MODEL_CARD_FILE] }),
    alias,
  };
  if (typeof card.description === 'string') {
    input.description = card.description;
  }
  return { input, digest };
}

async function readModelCard(cardFile: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(cardFile, 'utf8');
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `failed to read ${cardFile}: ${(error as Error).message}; a model folder needs a ` +
        `${MODEL_CARD_FILE} with at least "name", "task" and "runtime"`,
      { cause: error },
    );
  }
  let card: unknown;
  try {
    card = JSON.parse(text);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${cardFile} is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    throw new MaasError('MAAS_ERR_ARTIFACT_INVALID', `${cardFile} must contain a JSON object`);
  }
  return card as Record<string, unknown>;
}

function requireString(card: Record<string, unknown>, field: string, cardFile: string): string {
  const value = card[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${cardFile} has no string field "${field}"; add it, e.g. ` +
        `"${field}": ${JSON.stringify(CARD_FIELD_EXAMPLES[field] ?? '...')}`,
    );
  }
  return value;
}

const CARD_FIELD_EXAMPLES: Record<string, string> = {
  name: 'sentiment-zh',
  task: 'text-classification',
  runtime: 'onnx',
};
