import { mkdir, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { closeDatabase, migrateToLatest, openDatabase } from '../../src/storage/index.js';
import { JobEventHub } from '../../src/training/jobs/events.js';
import { JobStore } from '../../src/training/jobs/job-store.js';
import {
  failInterruptedJobs,
  removeStaleTrainingFolders,
} from '../../src/training/jobs/recovery.js';
import { insertDatasetRow } from '../helpers/dataset-row.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

let root: string;
let db: ReturnType<typeof openDatabase>;
let store: JobStore;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  root = await makeTempDir('recovery');
  db = openDatabase(join(root, 'maas.db'));
  await migrateToLatest(db);
  store = new JobStore(db);
  await insertDatasetRow(db, 'c'.repeat(64));
});

afterAll(async () => {
  await closeDatabase(db);
  await removeTempDir(root);
});

/** Queues a job and claims it for `owner`, as a runner of that process would. */
async function runningJob(id: string, owner: string): Promise<void> {
  await store.create({
    id,
    datasetId: 'c'.repeat(64),
    validationDatasetId: null,
    task: 'text-classification',
    architecture: 'lstm',
    hyperparameters: {},
    validationSplit: 0.1,
    modelName: 'reviews',
    alias: null,
  });
  const claimed = await store.claimNext(owner);
  expect(claimed?.job.id).toBe(id);
}

describe('failInterruptedJobs', () => {
  it('fails a job under its own process id', async () => {
    // A restarted container runs the server as PID 1 again, so the dead owner has its id.
    await runningJob('own-pid', `${hostname()}:${process.pid}`);

    const failed = await failInterruptedJobs(store, new JobEventHub(), logger);

    expect(failed).toEqual(['own-pid']);
    const job = await store.get('own-pid');
    expect(job?.state).toBe('failed');
    expect(job?.error?.message).toContain('interrupted by a server restart');
  });

  it('keeps jobs of live processes and other hosts', async () => {
    await runningJob('live-parent', `${hostname()}:${process.ppid}`);
    await runningJob('other-host', `another-${hostname()}:1`);

    const failed = await failInterruptedJobs(store, new JobEventHub(), logger);

    expect(failed).toEqual([]);
    expect((await store.get('live-parent'))?.state).toBe('running');
    expect((await store.get('other-host'))?.state).toBe('running');
  });
});

describe('removeStaleTrainingFolders', () => {
  it('removes a folder under its own process id', async () => {
    const tempDir = join(root, 'tmp');
    await mkdir(join(tempDir, `train-${process.pid}-left`), { recursive: true });
    await mkdir(join(tempDir, `train-${process.ppid}-live`), { recursive: true });

    const removed = await removeStaleTrainingFolders(tempDir, logger);

    expect(removed).toEqual([`train-${process.pid}-left`]);
    expect(await readdir(tempDir)).toEqual([`train-${process.ppid}-live`]);
  });
});
