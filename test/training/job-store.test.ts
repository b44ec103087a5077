import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { closeDatabase, migrateToLatest, openDatabase } from '../../src/storage/index.js';
import { JobStore, type NewJob } from '../../src/training/jobs/job-store.js';
import { insertDatasetRow } from '../helpers/dataset-row.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

let root: string;
let db: ReturnType<typeof openDatabase>;
let store: JobStore;
let counter = 0;

beforeAll(async () => {
  root = await makeTempDir('job-store');
  db = openDatabase(join(root, 'maas.db'));
  await migrateToLatest(db);
  store = new JobStore(db);
  // The dataset row that every job of these tests reads.
  await insertDatasetRow(db, 'a'.repeat(64));
});

afterAll(async () => {
  await closeDatabase(db);
  await removeTempDir(root);
});

function newJob(): NewJob {
  counter++;
  return {
    id: `job-${String(counter).padStart(4, '0')}`,
    datasetId: 'a'.repeat(64),
    validationDatasetId: null,
    task: 'text-classification',
    architecture: 'lstm',
    hyperparameters: { epochs: 1 },
    validationSplit: 0.1,
    modelName: '模型-😀',
    alias: null,
  };
}

/** Runs `claimNext` until no job is queued, so each test starts with an empty queue. */
async function drainQueue(): Promise<void> {
  while ((await store.claimNext('test:1')) !== undefined);
}

describe('JobStore', () => {
  it('rejects a job whose dataset is gone', async () => {
    const job = { ...newJob(), validationDatasetId: 'b'.repeat(64) };

    const error = await store.create(job).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MaasError);
    expect((error as MaasError).code).toBe('MAAS_ERR_DATASET_NOT_FOUND');
    expect((error as MaasError).param).toBe('validation_dataset_id');
    await expect(store.get(job.id)).rejects.toThrow();
  });

  it('claims queued jobs oldest first', async () => {
    await drainQueue();
    const first = await store.create(newJob());
    const second = await store.create(newJob());
    const claimed = await store.claimNext('host:42');
    expect(claimed?.job.id).toBe(first.id);
    expect(claimed?.job.state).toBe('running');
    expect(claimed?.job.owner).toBe('host:42');
    expect(claimed?.job.startedAt).not.toBeNull();
    expect(claimed?.event).toEqual({ seq: 2, type: 'state', data: { state: 'running' } });
    expect((await store.claimNext('host:42'))?.job.id).toBe(second.id);
    expect(await store.claimNext('host:42')).toBeUndefined();
  });

  it('claims each job once under concurrency', async () => {
    await drainQueue();
    for (let i = 0; i < 5; i++) await store.create(newJob());
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claimNext('host:1')));
    const ids = claims.flatMap((claim) => (claim === undefined ? [] : [claim.job.id]));
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  it('finishes a job only from the states given', async () => {
    const job = await store.create(newJob());
    const fromRunning = await store.finish(job.id, ['running'], { state: 'cancelled' });
    expect(fromRunning).toBeUndefined();
    expect((await store.get(job.id)).state).toBe('queued');

    const cancelled = await store.finish(job.id, ['queued'], { state: 'cancelled' });
    expect(cancelled?.data).toEqual({ state: 'cancelled' });
    const again = await store.finish(job.id, ['queued'], { state: 'failed' });
    expect(again).toBeUndefined();
    expect((await store.get(job.id)).state).toBe('cancelled');
  });

  it('records epochs, events and the outcome', async () => {
    await drainQueue();
    const job = await store.create(newJob());
    await store.claimNext('host:1');
    await store.recordProgress(job.id, 0.25);
    expect((await store.get(job.id)).progress).toBe(0.25);
    await store.recordEpoch(job.id, 1, 0.5, { epoch: 1, loss: 0.7 });
    await store.appendEvent(job.id, 'started', {
      train_rows: 9,
      validation_rows: 1,
      vocabulary_size: 5,
      batches_per_epoch: 2,
      epochs: 2,
    });
    await store.finish(job.id, ['running'], { state: 'succeeded', modelVersion: 3 });

    const stored = await store.get(job.id);
    expect(stored.state).toBe('succeeded');
    expect(stored.progress).toBe(1);
    expect(stored.epoch).toBe(1);
    expect(stored.metrics).toEqual([{ epoch: 1, loss: 0.7 }]);
    expect(stored.modelVersion).toBe(3);
    expect(stored.modelName).toBe('模型-😀');

    const events = await store.listEvents(job.id);
    expect(events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'state'],
      [2, 'state'],
      [3, 'started'],
      [4, 'state'],
    ]);
    expect((await store.listEvents(job.id, 3)).map((event) => event.seq)).toEqual([4]);
  });

  it('stores the error of a failed job', async () => {
    await drainQueue();
    const job = await store.create(newJob());
    await store.claimNext('host:1');
    const error = { code: 'MAAS_ERR_TRAINING_FAILED', message: 'out of memory' };
    await store.finish(job.id, ['running'], { state: 'failed', error });
    expect((await store.get(job.id)).error).toEqual(error);
    expect((await store.list('failed')).map((listed) => listed.id)).toContain(job.id);
  });

  it('rejects an unknown id', async () => {
    const error = await store.get('job-missing').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MaasError);
    expect((error as MaasError).code).toBe('MAAS_ERR_TRAINING_JOB_NOT_FOUND');
  });
});
