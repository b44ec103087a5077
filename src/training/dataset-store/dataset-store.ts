import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import { MaasError } from '../../errors/index.js';
import { registryWriteLock } from '../../registry/write-lock.js';
import type { DatabaseSchema, FileArtifactStore, StagedArtifact } from '../../storage/index.js';
import {
  KIND_OF_FORMAT,
  DATASET_KINDS,
  TASK_OF_KIND,
  checkDatasetFormat,
  datasetFormatFromFileName,
  type DatasetFormat,
  type DatasetReadOptions,
} from './formats.js';
import { parseFileInWorker, type TagSplit, type TagSplitRequest } from './parse-in-worker.js';
import { effectiveReadOptions, type DatasetLayout } from './read-options.js';
import { safeExtension, writeHashed } from './received-file.js';
import { toDatasetRecord, toOptionFields, type DatasetRecord } from './record.js';

/** Folder under the artifact root with one folder per dataset. */
export const DATASETS_DIR = 'datasets';

/** How to read and name a received file. */
export interface DatasetDescription {
  /** File name as uploaded; its extension implies the format when `format` is missing. */
  fileName: string;
  /** Display name. Defaults to `fileName`. */
  name?: string;
  format?: string;
  /** Expected kind or task; a mismatch with the format is rejected. */
  task?: string;
  options?: DatasetReadOptions;
}

/** A file streamed into a staging folder, not yet validated or stored. */
export interface ReceivedFile {
  readonly staged: StagedArtifact;
  readonly path: string;
  readonly digest: string;
  readonly sizeBytes: number;
}

/** A dataset and whether this call stored it (false when the same file was there already). */
export interface AddDatasetResult {
  dataset: DatasetRecord;
  created: boolean;
}

/**
 * Content-addressed dataset store: a dataset's id is the SHA-256 of its bytes, its file sits
 * in `datasets/<id>/` in the artifact store, and its metadata in the `datasets` table. A file
 * without a row is invisible and is removed by {@link DatasetStore.recover}.
 */
export class DatasetStore {
  readonly #db: Kysely<DatabaseSchema>;
  readonly #artifacts: FileArtifactStore;
  readonly #logger: Logger | undefined;

  constructor(db: Kysely<DatabaseSchema>, artifacts: FileArtifactStore, logger?: Logger) {
    this.#db = db;
    this.#artifacts = artifacts;
    this.#logger = logger;
  }

  /**
   * Streams a file to a staging folder while hashing it. Call {@link store} with the result,
   * and {@link discard} when anything else happens.
   *
   * @throws MaasError MAAS_ERR_DATASET_TOO_LARGE once more than `maxBytes` arrived; nothing is
   * kept then.
   */
  async receive(source: Readable, maxBytes: number, fileName = ''): Promise<ReceivedFile> {
    const staged = await this.#artifacts.stage();
    try {
      const path = join(staged.dir, `data${safeExtension(fileName)}`);
      const { digest, sizeBytes } = await writeHashed(source, path, maxBytes);
      return { staged, path, digest, sizeBytes };
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }

  /** Deletes a received file that will not be stored. */
  async discard(received: ReceivedFile): Promise<void> {
    await received.staged.discard();
  }

  /**
   * Validates a received file and stores it, unless a dataset with the same bytes and read
   * settings exists. The settings are stored and compared as {@link effectiveReadOptions}
   * returns them, so a default given explicitly matches the same default left out. The staging
   * folder is gone afterwards, whether or not this succeeds.
   *
   * @throws MaasError the errors of `parseDataset` (MAAS_ERR_DATASET_INVALID with
   * `details.lines`), MAAS_ERR_DATASET_FORMAT_UNKNOWN, MAAS_ERR_REQUEST_INVALID for an option
   * of another format, and MAAS_ERR_DATASET_EXISTS when the same file is stored with other
   * read settings.
   */
  async store(received: ReceivedFile, description: DatasetDescription): Promise<AddDatasetResult> {
    try {
      const options = description.options ?? {};
      const format = checkDatasetFormat(
        description.format ?? datasetFormatFromFileName(description.fileName),
        options,
      );
      const kind = KIND_OF_FORMAT[format];
      checkTask(description.task, format);
      const { labels, statistics, layout } = await parseFileInWorker({
        path: received.path,
        format,
        options,
      });
      const readOptions = effectiveReadOptions(format, options, layout);
      const row = {
        id: received.digest,
        name: datasetName(description, received.digest),
        format,
        kind,
        task: TASK_OF_KIND[kind],
        read_options: JSON.stringify(readOptions),
        labels: JSON.stringify(labels),
        statistics: JSON.stringify(statistics),
        file_path: `${DATASETS_DIR}/${received.digest}/${basename(received.path)}`,
        size_bytes: received.sizeBytes,
        created_at: new Date().toISOString(),
      };
      return await this.#inWriteTransaction((db) => this.#commit(db, received.staged, row, layout));
    } finally {
      await received.staged.discard();
    }
  }

  /** Receives and stores a file in one step; see {@link receive} and {@link store}. */
  async add(
    source: Readable,
    description: DatasetDescription,
    maxBytes: number,
  ): Promise<AddDatasetResult> {
    const received = await this.receive(source, maxBytes, description.fileName);
    return this.store(received, description);
  }

  /**
   * Runs `work` in a write transaction under the process-wide write lock, so that no other
   * process is between renaming a dataset folder and inserting its row while `work` runs.
   */
  #inWriteTransaction<T>(work: (db: Kysely<DatabaseSchema>) => Promise<T>): Promise<T> {
    return registryWriteLock.run(() => this.#db.transaction().execute(work));
  }

  async #commit(
    db: Kysely<DatabaseSchema>,
    staged: StagedArtifact,
    row: DatabaseSchema['datasets'],
    layout: DatasetLayout,
  ): Promise<AddDatasetResult> {
    const existing = await findRow(db, row.id);
    if (existing !== undefined) {
      if (!this.#readsAlike(existing, row, layout)) {
        throw new MaasError(
          'MAAS_ERR_DATASET_EXISTS',
          `dataset ${row.id} has the same bytes but was stored as format ${existing.format} with settings ${fieldsOf(existing.read_options)}; delete it first to store it with format ${row.format} and settings ${fieldsOf(row.read_options)}`,
          { param: 'file', details: { id: row.id } },
        );
      }
      return { dataset: toDatasetRecord(existing), created: false };
    }
    const folder = `${DATASETS_DIR}/${row.id}`;
    // A folder without a row is left by a crash between the rename and the insert.
    await this.#artifacts.remove(folder);
    await staged.commit(folder);
    await db.insertInto('datasets').values(row).execute();
    this.#logger?.info(
      { dataset: row.id, format: row.format, bytes: row.size_bytes },
      'dataset stored',
    );
    return { dataset: toDatasetRecord(row), created: true };
  }

  /**
   * Checks whether a stored row reads its file as `row` does. A row stored before read options
   * were filled in may lack defaults, so its options are filled in for `layout`, the layout of
   * the same bytes, before they are compared.
   */
  #readsAlike(
    existing: DatabaseSchema['datasets'],
    row: DatabaseSchema['datasets'],
    layout: DatasetLayout,
  ): boolean {
    if (existing.format !== row.format) return false;
    if (existing.read_options === row.read_options) return true;
    const stored = JSON.parse(existing.read_options) as DatasetReadOptions;
    try {
      const filled = effectiveReadOptions(row.format as DatasetFormat, stored, layout);
      return JSON.stringify(filled) === row.read_options;
    } catch (error) {
      if (!(error instanceof MaasError)) throw error;
      // The stored options no longer select a column of the file, so they cannot match.
      this.#logger?.warn(
        { dataset: existing.id, readOptions: existing.read_options, err: error },
        'stored read options do not apply to the dataset file',
      );
      return false;
    }
  }

  /** Lists every dataset, newest first. */
  async list(): Promise<DatasetRecord[]> {
    const rows = await this.#db
      .selectFrom('datasets')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toDatasetRecord);
  }

  /**
   * Returns a dataset by id.
   *
   * @throws MaasError MAAS_ERR_DATASET_NOT_FOUND.
   */
  async get(id: string): Promise<DatasetRecord> {
    const row = await findRow(this.#db, id);
    if (row === undefined) throw datasetNotFound(id);
    return toDatasetRecord(row);
  }

  /**
   * Splits the sentences of a stored CoNLL dataset as a tagger job does, in a worker thread,
   * and returns the tags of each part.
   *
   * @throws MaasError MAAS_ERR_TRAINING_INVALID when the split leaves no training sentence.
   */
  async splitTags(dataset: DatasetRecord, split: TagSplitRequest): Promise<TagSplit> {
    let parsed: Awaited<ReturnType<typeof parseFileInWorker>>;
    try {
      parsed = await parseFileInWorker({
        path: this.filePath(dataset),
        format: dataset.format,
        options: dataset.readOptions,
        tagSplit: split,
      });
    } catch (error) {
      // The worker's message names the server path of the file, which clients must not see.
      if (error instanceof MaasError && error.code === 'MAAS_ERR_DATASET_NOT_FOUND') {
        throw new MaasError(error.code, `dataset ${dataset.id} was deleted; upload it again`, {
          param: 'dataset_id',
          cause: error,
        });
      }
      throw error;
    }
    const { tagSplit } = parsed;
    if (tagSplit === undefined) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `dataset ${dataset.id} has format ${dataset.format}, so it has no sentences to split`,
        { param: 'dataset_id' },
      );
    }
    return tagSplit;
  }

  /** Returns the absolute path of a dataset's file. */
  filePath(dataset: DatasetRecord): string {
    return this.#artifacts.resolve(dataset.filePath);
  }

  /**
   * Deletes a dataset's row, then its folder, so a crash in between leaves only a folder that
   * {@link recover} removes.
   *
   * @throws MaasError MAAS_ERR_DATASET_NOT_FOUND, or MAAS_ERR_DATASET_IN_USE while a queued or
   * running training job reads it.
   */
  async remove(id: string): Promise<void> {
    await this.#inWriteTransaction(async (db) => {
      await assertUnused(db, id);
      const result = await db.deleteFrom('datasets').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw datasetNotFound(id);
      await this.#artifacts.remove(`${DATASETS_DIR}/${id}`);
    });
    this.#logger?.info({ dataset: id }, 'dataset deleted');
  }

  /** Removes dataset folders without a row, left by a crash, and returns their ids. */
  async recover(): Promise<string[]> {
    return this.#inWriteTransaction(async (db) => {
      const folders = await this.#artifacts.listDirectory(DATASETS_DIR);
      const rows = await db.selectFrom('datasets').select('id').execute();
      const known = new Set(rows.map((row) => row.id));
      const orphans = folders.filter((folder) => !known.has(folder));
      for (const orphan of orphans) {
        await this.#artifacts.remove(`${DATASETS_DIR}/${orphan}`);
        this.#logger?.warn({ dataset: orphan }, 'removed a dataset folder without a metadata row');
      }
      return orphans;
    });
  }
}

/** Rejects the deletion of a dataset that a queued or running training job reads. */
async function assertUnused(db: Kysely<DatabaseSchema>, id: string): Promise<void> {
  const job = await db
    .selectFrom('training_jobs')
    .select(['id', 'state'])
    .where((eb) => eb.or([eb('dataset_id', '=', id), eb('validation_dataset_id', '=', id)]))
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (job !== undefined) {
    throw new MaasError(
      'MAAS_ERR_DATASET_IN_USE',
      `dataset ${id} is used by training job ${job.id}, which is ${job.state}; cancel the job or wait for it to end, then delete the dataset`,
      { param: 'id', details: { job_id: job.id } },
    );
  }
}

async function findRow(
  db: Kysely<DatabaseSchema>,
  id: string,
): Promise<DatabaseSchema['datasets'] | undefined> {
  if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
  return db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst();
}

function checkTask(task: string | undefined, format: DatasetFormat): void {
  const kind = KIND_OF_FORMAT[format];
  if (task === undefined || task === kind || task === TASK_OF_KIND[kind]) return;
  const tasks = [...new Set([...DATASET_KINDS, ...Object.values(TASK_OF_KIND)])].sort();
  if (!tasks.includes(task)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `task ${JSON.stringify(task)} is not a dataset task; use one of ${tasks.join(', ')}, or leave task out`,
      { param: 'task' },
    );
  }
  throw new MaasError(
    'MAAS_ERR_REQUEST_INVALID',
    `task ${JSON.stringify(task)} does not match format ${format}, which contains ${kind} data; leave task out or set a format for ${task}`,
    { param: 'task' },
  );
}

/** Returns the stored read options JSON with the upload's form-field names. */
function fieldsOf(readOptions: string): string {
  return JSON.stringify(toOptionFields(JSON.parse(readOptions) as DatasetReadOptions));
}

function datasetNotFound(id: string): MaasError {
  return new MaasError(
    'MAAS_ERR_DATASET_NOT_FOUND',
    `no dataset has id ${JSON.stringify(id)}; GET /v1/datasets or maas datasets list shows the ids`,
    { param: 'id' },
  );
}

/** Maximum characters in a dataset's display name. */
const MAX_DATASET_NAME_LENGTH = 128;

/** Control characters, bidirectional overrides and path separators, which a display name may not contain. */
const UNSAFE_NAME_CHARACTERS = /[\p{Cc}\u202a-\u202e\u2066-\u2069/\\]/u;

/**
 * Returns the display name of a dataset: the `name` field, checked, or else the uploaded
 * file's base name with unsafe characters removed and cut to 128 characters.
 *
 * @throws MaasError `MAAS_ERR_REQUEST_INVALID` for a `name` that is empty, too long or
 * contains a control character or a path separator.
 */
function datasetName(description: DatasetDescription, digest: string): string {
  const { name } = description;
  if (name === undefined) {
    const fromFile = basename(description.fileName)
      .replace(new RegExp(UNSAFE_NAME_CHARACTERS.source, 'gu'), '')
      .slice(0, MAX_DATASET_NAME_LENGTH);
    return fromFile === '' ? digest : fromFile;
  }
  if (
    name.trim() === '' ||
    name.length > MAX_DATASET_NAME_LENGTH ||
    UNSAFE_NAME_CHARACTERS.test(name)
  ) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `name must be 1 to ${MAX_DATASET_NAME_LENGTH} characters without control characters, / or \\; got ${name.length} characters`,
      { param: 'name' },
    );
  }
  return name;
}
