import { sql, type Kysely } from 'kysely';

import { MaasError } from '../../errors/index.js';
import { registryWriteLock } from '../../registry/write-lock.js';
import type { DatabaseSchema, TrainingJobsTable } from '../../storage/index.js';
import type { JobEvent, JobEventMap, JobEventType } from './events.js';
import { toJobRecord, type JobRecord } from './job-record.js';

export type { JobRecord } from './job-record.js';
import type { JobState } from './states.js';

/** Fields of a new job. */
export type NewJob = Pick<
  JobRecord,
  | 'id'
  | 'datasetId'
  | 'validationDatasetId'
  | 'task'
  | 'architecture'
  | 'hyperparameters'
  | 'validationSplit'
  | 'modelName'
  | 'alias'
>;

/** Final state of a job, with its error or its new version. */
export interface JobOutcome {
  state: Extract<JobState, 'succeeded' | 'failed' | 'cancelled'>;
  error?: { code: string; message: string };
  modelVersion?: number;
}

type JobsDatabase = Kysely<DatabaseSchema>;

/**
 * Rows of `training_jobs` and `training_job_events`. Each state change is a conditional
 * update on the current state, so two writers cannot both move a job out of one state.
 */
export class JobStore {
  readonly #db: JobsDatabase;

  constructor(db: JobsDatabase) {
    this.#db = db;
  }

  /** Inserts a queued job and its first event. */
  async create(job: NewJob): Promise<JobRecord> {
    const row: TrainingJobsTable = {
      id: job.id,
      dataset_id: job.datasetId,
      validation_dataset_id: job.validationDatasetId,
      task: job.task,
      architecture: job.architecture,
      hyperparameters: JSON.stringify(job.hyperparameters),
      validation_split: job.validationSplit,
      model_name: job.modelName,
      alias: job.alias,
      state: 'queued',
      progress: 0,
      epoch: 0,
      metrics: '[]',
      error: null,
      owner: null,
      model_version: null,
      created_at: new Date().toISOString(),
      started_at: null,
      finished_at: null,
    };
    await this.#write(async (db) => {
      // Checked in the write that inserts the job, so a dataset deleted while the request was
      // checked is not queued. A later deletion finds the queued job and gets 409.
      for (const [id, param] of [
        [job.datasetId, 'dataset_id'],
        [job.validationDatasetId, 'validation_dataset_id'],
      ] as const) {
        if (id === null) continue;
        const found = await db
          .selectFrom('datasets')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst();
        if (found === undefined) {
          throw new MaasError(
            'MAAS_ERR_DATASET_NOT_FOUND',
            `dataset ${id} was deleted while the job was being created; upload it again and retry`,
            { param },
          );
        }
      }
      await db.insertInto('training_jobs').values(row).execute();
      await insertEvent(db, job.id, 'state', { state: 'queued' });
    });
    return toJobRecord(row);
  }

  /**
   * Returns a job by id.
   *
   * @throws MaasError MAAS_ERR_TRAINING_JOB_NOT_FOUND.
   */
  async get(id: string): Promise<JobRecord> {
    const row = await this.#db
      .selectFrom('training_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_JOB_NOT_FOUND',
        `no training job has id ${JSON.stringify(id)}; GET /v1/training-jobs lists them`,
        { param: 'id' },
      );
    }
    return toJobRecord(row);
  }

  /** Lists jobs, newest first, optionally in one state. */
  async list(state?: JobState): Promise<JobRecord[]> {
    let query = this.#db.selectFrom('training_jobs').selectAll();
    if (state !== undefined) query = query.where('state', '=', state);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy(sql`rowid`, 'desc')
      .execute();
    return rows.map(toJobRecord);
  }

  /**
   * Moves the oldest queued job to `running`, owned by `owner`, and returns it with its
   * `state` event, or returns undefined when no job is queued.
   */
  async claimNext(owner: string): Promise<{ job: JobRecord; event: JobEvent } | undefined> {
    return this.#write(async (db) => {
      const next = await db
        .selectFrom('training_jobs')
        .select('id')
        .where('state', '=', 'queued')
        .orderBy('created_at')
        // Jobs created in the same millisecond run in insertion order.
        .orderBy(sql`rowid`)
        .executeTakeFirst();
      if (next === undefined) return undefined;
      const row = await db
        .updateTable('training_jobs')
        .set({ state: 'running', owner, started_at: new Date().toISOString() })
        .where('id', '=', next.id)
        .where('state', '=', 'queued')
        .returningAll()
        .executeTakeFirstOrThrow();
      const event = await insertEvent(db, next.id, 'state', { state: 'running' });
      return { job: toJobRecord(row), event };
    });
  }

  /** Records the metrics of a finished epoch and the progress. */
  async recordEpoch(id: string, epoch: number, progress: number, metrics: unknown): Promise<void> {
    await this.#write(async (db) => {
      const row = await db
        .selectFrom('training_jobs')
        .select('metrics')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const history = [...(JSON.parse(row.metrics) as unknown[]), metrics];
      await db
        .updateTable('training_jobs')
        .set({ epoch, progress, metrics: JSON.stringify(history) })
        .where('id', '=', id)
        .execute();
    });
  }

  /** Stores the share of the planned batches done, from 0 to 1. */
  async recordProgress(id: string, progress: number): Promise<void> {
    await this.#write(async (db) => {
      await db.updateTable('training_jobs').set({ progress }).where('id', '=', id).execute();
    });
  }

  /**
   * Ends a job that is in one of `from`, and stores its final `state` event. Returns the event,
   * or undefined when the job was in another state.
   */
  async finish(
    id: string,
    from: readonly JobState[],
    outcome: JobOutcome,
  ): Promise<JobEvent | undefined> {
    return this.#write(async (db) => {
      const result = await db
        .updateTable('training_jobs')
        .set({
          state: outcome.state,
          error: outcome.error === undefined ? null : JSON.stringify(outcome.error),
          model_version: outcome.modelVersion ?? null,
          finished_at: new Date().toISOString(),
          ...(outcome.state === 'succeeded' ? { progress: 1 } : {}),
        })
        .where('id', '=', id)
        .where('state', 'in', from)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return undefined;
      return insertEvent(db, id, 'state', {
        state: outcome.state,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        ...(outcome.modelVersion === undefined ? {} : { model_version: outcome.modelVersion }),
      });
    });
  }

  /** Stores an event of job `id` with the next number and returns it. */
  async appendEvent<Type extends JobEventType>(
    id: string,
    type: Type,
    data: JobEventMap[Type],
  ): Promise<JobEvent> {
    return this.#write((db) => insertEvent(db, id, type, data));
  }

  /** Returns the stored events of job `id` numbered above `afterSeq`, in order. */
  async listEvents(id: string, afterSeq = 0): Promise<JobEvent[]> {
    const rows = await this.#db
      .selectFrom('training_job_events')
      .select(['seq', 'type', 'data'])
      .where('job_id', '=', id)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({
      seq: row.seq,
      type: row.type as JobEventType,
      data: JSON.parse(row.data) as JobEventMap[JobEventType],
    }));
  }

  /** Runs `work` in a write transaction under the process-wide write lock. */
  #write<T>(work: (db: JobsDatabase) => Promise<T>): Promise<T> {
    return registryWriteLock.run(() => this.#db.transaction().execute(work));
  }
}

async function insertEvent<Type extends JobEventType>(
  db: JobsDatabase,
  jobId: string,
  type: Type,
  data: JobEventMap[Type],
): Promise<JobEvent> {
  const last = await db
    .selectFrom('training_job_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  await db
    .insertInto('training_job_events')
    .values({
      job_id: jobId,
      seq,
      type,
      data: JSON.stringify(data),
      created_at: new Date().toISOString(),
    })
    .execute();
  return { seq, type, data };
}
