import type { FileArtifactStore } from '../storage/index.js';
import { createVersion, insertAlias, type RegistryContext } from './create-version.js';
import { aliasNotFound, modelNotFound, versionNotFound } from './errors.js';
import { prepareFolderImport, type ImportFolderOptions } from './import-folder.js';
import {
  aliasMap,
  aliasesByVersion,
  findAliasRow,
  findModelRow,
  findNewestVersionRow,
  findVersionRow,
  findVersionRowByDigest,
  listAliasRows,
  listModelNames,
  listVersionRows,
  loadVersionRecord,
  parseModelCard,
  type ModelRow,
  type RegistryDatabase,
  type VersionRow,
} from './queries.js';
import { recoverArtifacts } from './recovery.js';
import {
  PRODUCTION_ALIAS,
  assertAlias,
  assertModelName,
  parseModelReference,
  type ModelReference,
} from './reference.js';
import type {
  AliasRecord,
  CreateVersionInput,
  ImportedVersion,
  ModelDetail,
  ModelSummary,
  RecoveryReport,
  RegistryOptions,
  VersionRecord,
} from './types.js';
import { registryWriteLock } from './write-lock.js';

/**
 * Model registry: models, their immutable versions and movable aliases, stored as rows in the
 * metadata database and as one folder per version in the artifact store. A version folder
 * without a row is invisible, which is what makes {@link Registry.createVersion} atomic.
 */
export class Registry {
  readonly #context: RegistryContext;

  constructor(db: RegistryDatabase, artifacts: FileArtifactStore, options: RegistryOptions = {}) {
    this.#context = { db, artifacts, logger: options.logger };
  }

  /**
   * Creates the next version of a model (1 for a new model) from the files that
   * `input.writeFiles` writes, and points `input.alias` at it. The version becomes visible only
   * once its files and rows are complete, and a failure or crash at any step leaves none.
   *
   * @throws MaasError `MAAS_ERR_MODEL_NAME_INVALID`, or `MAAS_ERR_MODEL_TASK_MISMATCH` before any
   *   file is written; `MAAS_ERR_ARTIFACT_INVALID` when the written files are unusable.
   */
  async createVersion(input: CreateVersionInput): Promise<VersionRecord> {
    const mode = { aliasMode: 'move', reuseDigest: false } as const;
    const { record } = await createVersion(this.#context, input, mode);
    return record;
  }

  /**
   * Imports the folder of a packaged model, whose `model-card.json` names its `task`,
   * `runtime` and (unless `options.name` is set) `name`. A folder whose files, apart from
   * `model-card.json`, match an existing version returns that version unchanged, so start-up
   * imports are idempotent. A new version gets `options.alias` (default `production`) only if
   * the model has no alias of that name yet.
   */
  async importVersionFromFolder(
    folder: string,
    options: ImportFolderOptions = {},
  ): Promise<ImportedVersion> {
    const alias = options.alias ?? PRODUCTION_ALIAS;
    assertAlias(alias);
    const { input, digest } = await prepareFolderImport(folder, options, alias);
    const existing = await this.findVersionByDigest(input.name, digest);
    if (existing !== undefined) {
      return { ...existing, created: false };
    }
    const mode = { aliasMode: 'if-absent', reuseDigest: true } as const;
    const { record, created } = await createVersion(this.#context, input, mode);
    return { ...record, created };
  }

  /**
   * Resolves `name`, `name@<version>` or `name@<alias>`. A bare name means the `production`
   * alias if it is set, else the newest version.
   *
   * @throws MaasError `MAAS_ERR_MODEL_REFERENCE_INVALID`, or `MAAS_ERR_MODEL_NOT_FOUND`,
   *   `MAAS_ERR_VERSION_NOT_FOUND` or `MAAS_ERR_ALIAS_NOT_FOUND` naming what exists.
   */
  async resolve(reference: string | ModelReference): Promise<VersionRecord> {
    const parsed = typeof reference === 'string' ? parseModelReference(reference) : reference;
    const model = await this.#requireModel(parsed.name);
    const row = await this.#findReferencedVersion(model, parsed);
    return loadVersionRecord(this.#context.db, this.#context.artifacts, model, row);
  }

  async #findReferencedVersion(model: ModelRow, reference: ModelReference): Promise<VersionRow> {
    const { db } = this.#context;
    let version = reference.version;
    if (reference.alias !== undefined) {
      const alias = await findAliasRow(db, model.name, reference.alias);
      if (alias === undefined) {
        const aliases = (await listAliasRows(db, model.name)).map((row) => row.alias);
        throw aliasNotFound(model.name, reference.alias, aliases);
      }
      version = alias.version;
    } else if (version === undefined) {
      version = (await findAliasRow(db, model.name, PRODUCTION_ALIAS))?.version;
    }
    const row =
      version === undefined
        ? await findNewestVersionRow(db, model.name)
        : await findVersionRow(db, model.name, version);
    if (row === undefined) {
      const versions = (await listVersionRows(db, model.name)).map((entry) => entry.version);
      throw versionNotFound(model.name, version, versions);
    }
    return row;
  }

  /** Lists every model, sorted by name, with its newest version and aliases. */
  async listModels(): Promise<ModelSummary[]> {
    const { db } = this.#context;
    const models = await db.selectFrom('models').selectAll().orderBy('name').execute();
    const counts = await db
      .selectFrom('versions')
      .select((eb) => [
        'model_name',
        eb.fn.max('version').as('latest_version'),
        eb.fn.countAll<number>().as('version_count'),
      ])
      .groupBy('model_name')
      .execute();
    const aliases = await db.selectFrom('aliases').selectAll().orderBy('alias').execute();
    const countsByModel = new Map(counts.map((row) => [row.model_name, row]));
    return models.map((model) => ({
      name: model.name,
      task: model.task,
      description: model.description,
      createdAt: model.created_at,
      latestVersion: countsByModel.get(model.name)?.latest_version ?? 0,
      versionCount: Number(countsByModel.get(model.name)?.version_count ?? 0),
      aliases: aliasMap(aliases.filter((row) => row.model_name === model.name)),
    }));
  }

  /**
   * Returns a model with all its versions and aliases.
   *
   * @throws MaasError `MAAS_ERR_MODEL_NOT_FOUND` naming the registered models.
   */
  async getModel(name: string): Promise<ModelDetail> {
    const model = await this.#requireModel(name);
    const versions = await listVersionRows(this.#context.db, name);
    const aliases = await listAliasRows(this.#context.db, name);
    const byVersion = aliasesByVersion(aliases);
    return {
      name: model.name,
      task: model.task,
      description: model.description,
      createdAt: model.created_at,
      versions: versions.map((row) => ({
        version: row.version,
        runtime: row.runtime,
        createdAt: row.created_at,
        digest: row.digest,
        sizeBytes: row.size_bytes,
        aliases: byVersion.get(row.version) ?? [],
        modelCard: parseModelCard(row),
      })),
      aliases: aliasMap(aliases),
    };
  }

  /**
   * Points `alias` at `version` of model `name`, creating the alias or moving it.
   *
   * @throws MaasError `MAAS_ERR_MODEL_NAME_INVALID` for an invalid alias;
   *   `MAAS_ERR_MODEL_NOT_FOUND` or `MAAS_ERR_VERSION_NOT_FOUND` naming what exists.
   */
  async setAlias(name: string, alias: string, version: number): Promise<AliasRecord> {
    assertAlias(alias);
    return registryWriteLock.run(() =>
      this.#context.db.transaction().execute(async (trx) => {
        await this.#requireModel(name, trx);
        if ((await findVersionRow(trx, name, version)) === undefined) {
          const versions = (await listVersionRows(trx, name)).map((row) => row.version);
          throw versionNotFound(name, version, versions);
        }
        const updatedAt = new Date().toISOString();
        await insertAlias(trx, name, alias, version, updatedAt, 'move');
        return { name, alias, version, updatedAt };
      }),
    );
  }

  /**
   * Deletes `alias` of model `name`. The version it pointed at stays.
   *
   * @throws MaasError `MAAS_ERR_MODEL_NOT_FOUND` or `MAAS_ERR_ALIAS_NOT_FOUND` naming what exists.
   */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await registryWriteLock.run(() =>
      this.#context.db.transaction().execute(async (trx) => {
        await this.#requireModel(name, trx);
        const result = await trx
          .deleteFrom('aliases')
          .where('model_name', '=', name)
          .where('alias', '=', alias)
          .executeTakeFirst();
        if (result.numDeletedRows === 0n) {
          const aliases = (await listAliasRows(trx, name)).map((row) => row.alias);
          throw aliasNotFound(name, alias, aliases);
        }
      }),
    );
  }

  /** Finds the oldest version of model `name` whose files, without the model card, have `digest`. */
  async findVersionByDigest(name: string, digest: string): Promise<VersionRecord | undefined> {
    const { db, artifacts } = this.#context;
    const model = await findModelRow(db, name);
    if (model === undefined) {
      return undefined;
    }
    const row = await findVersionRowByDigest(db, name, digest);
    if (row === undefined) {
      return undefined;
    }
    return loadVersionRecord(db, artifacts, model, row);
  }

  /**
   * Removes what interrupted writes left behind: staging folders, and version folders without a
   * version row. Call it at start-up, before this or any other process writes to the registry,
   * because it also removes the staging folders of writes in progress.
   */
  async recover(): Promise<RecoveryReport> {
    return recoverArtifacts(this.#context);
  }

  async #requireModel(name: string, db: RegistryDatabase = this.#context.db): Promise<ModelRow> {
    assertModelName(name);
    const model = await findModelRow(db, name);
    if (model === undefined) {
      throw modelNotFound(name, await listModelNames(db));
    }
    return model;
  }
}
