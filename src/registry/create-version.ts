import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { MaasError } from '../errors/index.js';
import {
  digestDirectory,
  type DirectoryDigest,
  type FileArtifactStore,
  type StagedArtifact,
} from '../storage/index.js';
import { nameCaseCollision, taskMismatch } from './errors.js';
import {
  findModelRow,
  findModelRowIgnoringCase,
  findVersionRowByDigest,
  loadVersionRecord,
  type ModelRow,
  type RegistryDatabase,
  type VersionRow,
} from './queries.js';
import { assertAlias, assertModelName } from './reference.js';
import { MODEL_CARD_FILE, type CreateVersionInput, type VersionRecord } from './types.js';
import { registryWriteLock } from './write-lock.js';

/** Database, artifact store and logger that the write procedures share. */
export interface RegistryContext {
  db: RegistryDatabase;
  artifacts: FileArtifactStore;
  logger: Logger | undefined;
}

/** Options of {@link createVersion} for the alias and for versions with the same files. */
export interface CreateVersionMode {
  /** `move` points the alias at the new version, and `if-absent` sets it only if it is unset. */
  aliasMode: 'move' | 'if-absent';
  /** Returns an existing version with the same digest instead of creating one. */
  reuseDigest: boolean;
}

/**
 * Creates a version so that it becomes visible only when complete: the files are written and
 * digested in a staging folder, then one write transaction allocates the number, renames the
 * folder to `models/<name>/<version>` and inserts the rows. A crash before the transaction
 * commits leaves a staging folder or an orphaned version folder, and no row points at either.
 */
export async function createVersion(
  context: RegistryContext,
  input: CreateVersionInput,
  mode: CreateVersionMode,
): Promise<{ record: VersionRecord; created: boolean }> {
  validateInput(input);
  checkModelCompatible(await findModelRowIgnoringCase(context.db, input.name), input);

  const staged = await context.artifacts.stage();
  try {
    await input.writeFiles(staged.dir);
    const digest = await digestStagedFiles(staged.dir);
    // Flushing outside the lock keeps the commit's own flush, which runs under it, short.
    await staged.sync();
    const result = await registryWriteLock.run(() =>
      commitVersion(context, staged, input, digest, mode),
    );
    if (result.created) {
      context.logger?.info(
        { model: input.name, version: result.record.version, digest: digest.digest },
        'created model version',
      );
    }
    return result;
  } finally {
    await discardQuietly(context, staged);
  }
}

function validateInput(input: CreateVersionInput): void {
  assertModelName(input.name);
  if (input.alias !== undefined) {
    assertAlias(input.alias);
  }
  for (const field of ['task', 'runtime'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `${field} of model ${input.name} is missing; set it, e.g. ` +
          (field === 'task' ? 'text-classification' : 'onnx'),
        { param: field },
      );
    }
  }
  const card = input.modelCard as unknown;
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    throw new MaasError('MAAS_ERR_REQUEST_INVALID', 'modelCard must be a JSON object', {
      param: 'modelCard',
    });
  }
  try {
    JSON.stringify(card);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `modelCard of model ${input.name} cannot be serialized as JSON: ${(error as Error).message}`,
      { param: 'modelCard', cause: error },
    );
  }
}

/** Rejects a version for a model that exists with another task or another letter case. */
function checkModelCompatible(existing: ModelRow | undefined, input: CreateVersionInput): void {
  if (existing === undefined) {
    return;
  }
  if (existing.name !== input.name) {
    throw nameCaseCollision(input.name, existing.name);
  }
  if (existing.task !== input.task) {
    throw taskMismatch(input.name, existing.task, input.task);
  }
}

async function digestStagedFiles(dir: string): Promise<DirectoryDigest> {
  const cardWritten = await access(join(dir, MODEL_CARD_FILE)).then(
    () => true,
    () => false,
  );
  if (cardWritten) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `writeFiles wrote ${MODEL_CARD_FILE}, which the registry writes itself; ` +
        'pass the card fields as modelCard instead',
    );
  }
  const digest = await digestDirectory(dir);
  if (digest.fileCount === 0) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      'writeFiles wrote no files into the version folder; write at least the model file',
    );
  }
  return digest;
}

async function commitVersion(
  context: RegistryContext,
  staged: StagedArtifact,
  input: CreateVersionInput,
  digest: DirectoryDigest,
  mode: CreateVersionMode,
): Promise<{ record: VersionRecord; created: boolean }> {
  return context.db.transaction().execute(async (trx) => {
    const createdAt = new Date().toISOString();
    const model = await upsertModel(trx, input, createdAt);
    if (mode.reuseDigest) {
      const existing = await findVersionRowByDigest(trx, input.name, digest.digest);
      if (existing !== undefined) {
        const record = await loadVersionRecord(trx, context.artifacts, model, existing);
        return { record, created: false };
      }
    }

    const version = (await findNewestVersionNumber(trx, input.name)) + 1;
    const row = buildVersionRow(input, version, digest, createdAt);
    await writeFile(
      join(staged.dir, MODEL_CARD_FILE),
      `${JSON.stringify(row.modelCard, null, 2)}\n`,
    );
    await removeOrphanedFolder(context, row.artifactDir);
    await staged.commit(row.artifactDir);

    try {
      await trx.insertInto('versions').values(row.values).execute();
      if (input.alias !== undefined) {
        await insertAlias(trx, input.name, input.alias, version, createdAt, mode.aliasMode);
      }
    } catch (error) {
      // NOTE: if the COMMIT itself fails after this block, the folder stays without a row.
      // The next version with this number, or Registry.recover, removes it.
      await removeQuietly(context, row.artifactDir);
      throw error;
    }
    const record = await loadVersionRecord(trx, context.artifacts, model, row.values);
    return { record, created: true };
  });
}

async function findNewestVersionNumber(trx: RegistryDatabase, name: string): Promise<number> {
  const newest = await trx
    .selectFrom('versions')
    .select((eb) => eb.fn.max('version').as('max_version'))
    .where('model_name', '=', name)
    .executeTakeFirst();
  return newest?.max_version ?? 0;
}

function buildVersionRow(
  input: CreateVersionInput,
  version: number,
  digest: DirectoryDigest,
  createdAt: string,
): { values: VersionRow; artifactDir: string; modelCard: Record<string, unknown> } {
  const modelCard = {
    ...input.modelCard,
    name: input.name,
    version,
    task: input.task,
    runtime: input.runtime,
    created_at: createdAt,
  };
  const artifactDir = `models/${input.name}/${version}`;
  const values: VersionRow = {
    model_name: input.name,
    version,
    runtime: input.runtime,
    artifact_dir: artifactDir,
    model_card: JSON.stringify(modelCard),
    digest: digest.digest,
    size_bytes: digest.sizeBytes,
    created_at: createdAt,
  };
  return { values, artifactDir, modelCard };
}

/** Inserts the model row if it is new, after the same checks as before staging. */
async function upsertModel(
  trx: RegistryDatabase,
  input: CreateVersionInput,
  createdAt: string,
): Promise<ModelRow> {
  checkModelCompatible(await findModelRowIgnoringCase(trx, input.name), input);
  const existing = await findModelRow(trx, input.name);
  if (existing === undefined) {
    const row = {
      name: input.name,
      task: input.task,
      description: input.description ?? null,
      created_at: createdAt,
    };
    await trx.insertInto('models').values(row).execute();
    return row;
  }
  if (input.description !== undefined && input.description !== existing.description) {
    await trx
      .updateTable('models')
      .set({ description: input.description })
      .where('name', '=', input.name)
      .execute();
    return { ...existing, description: input.description };
  }
  return existing;
}

/** Inserts or moves an alias. In `if-absent` mode an existing alias keeps its version. */
export async function insertAlias(
  trx: RegistryDatabase,
  name: string,
  alias: string,
  version: number,
  updatedAt: string,
  aliasMode: CreateVersionMode['aliasMode'],
): Promise<void> {
  await trx
    .insertInto('aliases')
    .values({ model_name: name, alias, version, updated_at: updatedAt })
    .onConflict((conflict) => {
      const columns = conflict.columns(['model_name', 'alias']);
      return aliasMode === 'move'
        ? columns.doUpdateSet({ version, updated_at: updatedAt })
        : columns.doNothing();
    })
    .execute();
}

/**
 * Removes a folder left at `artifactDir` by a crash between the rename and the commit of an
 * earlier attempt. The caller is inside the write transaction, so no row points at the
 * folder and no other writer is between its own rename and commit.
 */
async function removeOrphanedFolder(context: RegistryContext, artifactDir: string): Promise<void> {
  if (!(await context.artifacts.exists(artifactDir))) {
    return;
  }
  context.logger?.warn({ artifactDir }, 'removing orphaned version folder that has no version row');
  await context.artifacts.remove(artifactDir);
}

async function removeQuietly(context: RegistryContext, artifactDir: string): Promise<void> {
  try {
    await context.artifacts.remove(artifactDir);
  } catch (error) {
    context.logger?.error({ err: error, artifactDir }, 'failed to remove version folder');
  }
}

async function discardQuietly(context: RegistryContext, staged: StagedArtifact): Promise<void> {
  try {
    await staged.discard();
  } catch (error) {
    context.logger?.error({ err: error, dir: staged.dir }, 'failed to remove staging folder');
  }
}
