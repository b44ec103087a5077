import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { spawnCli } from '../helpers/cli.js';
import { synthesizeNerSentences, toConll } from '../helpers/ner-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';
import { synthesizeSrlSentences, toConllu } from '../helpers/srl-fixture.js';
import {
  TINY_HYPERPARAMETERS,
  createJob,
  readEvents,
  tinyReviewsCsv,
  uploadDataset,
  waitForJob,
} from '../helpers/training-jobs.js';

/** Maximum wait for a spawned server to log that it listens, in milliseconds. */
const START_TIMEOUT_MS = 60_000;

let root: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = await makeTempDir('training-recovery');
  env = {
    MAAS_DATA_DIR: await mkdtemp(join(root, 'data-')),
    MAAS_MODELS_DIR: await mkdtemp(join(root, 'models-')),
    MAAS_SERVING_REGISTER_BUNDLED: 'false',
    MAAS_TRAINING_CONCURRENCY: '1',
  };
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await removeTempDir(root);
});

/** Starts `maas serve` on a free port and returns the process and its base URL. */
async function startServer(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawnCli(['serve', '--port', '0'], env);
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    for await (const line of lines) {
      const entry = JSON.parse(line) as { msg?: string; address?: string };
      if (entry.msg === 'server listening' && entry.address !== undefined) {
        return { child, baseUrl: entry.address };
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error('maas serve exited before it listened');
}

/**
 * Kills the server `first` with SIGKILL while job `killedJobId` runs, starts a second server on
 * the same data folder and checks that it failed the job and removed the job's output folder.
 */
async function restartAfterKill(
  first: { child: ChildProcess; baseUrl: string },
  killedJobId: string,
): Promise<{ second: { child: ChildProcess; baseUrl: string }; failed: Record<string, unknown> }> {
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');

  const second = await startServer();
  const failed = await waitForJob(second.baseUrl, killedJobId, (job) => job['state'] !== 'running');
  expect(failed['state']).toBe('failed');
  expect((failed['error'] as { message: string }).message).toContain(
    'interrupted by a server restart',
  );
  const leftovers = (await readdir(join(env['MAAS_DATA_DIR'] as string, 'tmp'))).filter((name) =>
    name.startsWith(`train-${first.child.pid}-`),
  );
  expect(leftovers).toEqual([]);
  return { second, failed };
}

/** Waits until job `jobId` succeeds or fails and returns it. */
function waitForFinish(baseUrl: string, jobId: string): Promise<Record<string, unknown>> {
  return waitForJob(baseUrl, jobId, (job) =>
    ['succeeded', 'failed'].includes(job['state'] as string),
  );
}

/** Stops a server with SIGTERM and waits for it to exit. */
async function stopServer(server: { child: ChildProcess }): Promise<void> {
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
}

describe('training runner recovery', () => {
  it('fails a job killed mid-run and runs the queued one', async () => {
    const first = await startServer();
    const datasetId = await uploadDataset(first.baseUrl, tinyReviewsCsv(), 'reviews.csv');
    const killedJobId = await createJob(first.baseUrl, {
      dataset_id: datasetId,
      model: 'killed-reviews',
      hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 500, patience: 500 },
    });
    const queuedJobId = await createJob(first.baseUrl, {
      dataset_id: datasetId,
      model: 'queued-reviews',
      hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 1 },
    });

    await waitForJob(first.baseUrl, killedJobId, (job) => (job['epoch'] as number) >= 1);
    const queued = await waitForJob(first.baseUrl, queuedJobId, () => true);
    expect(queued['state']).toBe('queued');

    const { second, failed } = await restartAfterKill(first, killedJobId);
    expect(failed['finished_at']).not.toBeNull();

    const events = await readEvents(second.baseUrl, killedJobId);
    expect(
      events.filter((event) => event.type === 'state').map((event) => event.data['state']),
    ).toEqual(['queued', 'running', 'failed']);

    const succeeded = await waitForFinish(second.baseUrl, queuedJobId);
    expect(succeeded['state']).toBe('succeeded');
    expect(succeeded['model_version']).toBe(1);
    const model = await fetch(`${second.baseUrl}/v1/models/queued-reviews`);
    expect(model.status).toBe(200);
    const killedModel = await fetch(`${second.baseUrl}/v1/models/killed-reviews`);
    expect(killedModel.status).toBe(404);

    await stopServer(second);
  });

  it('fails a tagger job killed mid-run and runs the queued one', async () => {
    const first = await startServer();
    const datasetId = await uploadDataset(
      first.baseUrl,
      toConll(synthesizeNerSentences(80, 8)),
      'ner.conll',
    );
    const tagger = { embedding_dim: 8, units: 8, batch_size: 16 };
    const killedJobId = await createJob(first.baseUrl, {
      task: 'token-classification',
      dataset_id: datasetId,
      model: 'killed-ner',
      hyperparameters: { ...tagger, epochs: 500, patience: 500 },
    });
    const queuedJobId = await createJob(first.baseUrl, {
      task: 'token-classification',
      architecture: 'bilstm',
      dataset_id: datasetId,
      model: 'queued-ner',
      hyperparameters: { ...tagger, epochs: 1 },
    });

    await waitForJob(first.baseUrl, killedJobId, (job) => (job['epoch'] as number) >= 1);
    const { second } = await restartAfterKill(first, killedJobId);

    const succeeded = await waitForFinish(second.baseUrl, queuedJobId);
    expect(succeeded['state']).toBe('succeeded');
    const model = (await (await fetch(`${second.baseUrl}/v1/models/queued-ner`)).json()) as {
      task: string;
    };
    expect(model.task).toBe('token-classification');
    expect((await fetch(`${second.baseUrl}/v1/models/killed-ner`)).status).toBe(404);

    await stopServer(second);
  }, 120_000);

  it('fails a killed role tagger job', async () => {
    const first = await startServer();
    const datasetId = await uploadDataset(
      first.baseUrl,
      toConllu(synthesizeSrlSentences(60, 15)),
      'roles.conllu',
    );
    const roleTagger = { embedding_dim: 8, units: 8, lstm_layers: 1, batch_size: 16 };
    const killedJobId = await createJob(first.baseUrl, {
      task: 'semantic-role-labeling',
      dataset_id: datasetId,
      model: 'killed-srl',
      hyperparameters: { ...roleTagger, epochs: 500, patience: 500 },
    });
    const queuedJobId = await createJob(first.baseUrl, {
      task: 'semantic-role-labeling',
      dataset_id: datasetId,
      model: 'queued-srl',
      hyperparameters: { ...roleTagger, epochs: 1 },
    });

    await waitForJob(first.baseUrl, killedJobId, (job) => (job['epoch'] as number) >= 1);
    const { second } = await restartAfterKill(first, killedJobId);

    const succeeded = await waitForFinish(second.baseUrl, queuedJobId);
    expect(succeeded['state']).toBe('succeeded');
    const model = (await (await fetch(`${second.baseUrl}/v1/models/queued-srl`)).json()) as {
      task: string;
    };
    expect(model.task).toBe('semantic-role-labeling');
    expect((await fetch(`${second.baseUrl}/v1/models/killed-srl`)).status).toBe(404);

    await stopServer(second);
  }, 120_000);
});
