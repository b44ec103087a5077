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
  postJob,
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

describe('training runner recovery', () => {
  it('fails a job killed mid-run and runs the queued one', async () => {
    const first = await startServer();
    const datasetId = await uploadDataset(first.baseUrl, tinyReviewsCsv(), 'reviews.csv');
    const killedJob = (await (
      await postJob(first.baseUrl, {
        dataset_id: datasetId,
        model: 'killed-reviews',
        hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 500, patience: 500 },
      })
    ).json()) as { id: string };
    const queuedJob = (await (
      await postJob(first.baseUrl, {
        dataset_id: datasetId,
        model: 'queued-reviews',
        hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 1 },
      })
    ).json()) as { id: string };

    await waitForJob(first.baseUrl, killedJob.id, (job) => (job['epoch'] as number) >= 1);
    const queued = await waitForJob(first.baseUrl, queuedJob.id, () => true);
    expect(queued['state']).toBe('queued');

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await startServer();
    const failed = await waitForJob(
      second.baseUrl,
      killedJob.id,
      (job) => job['state'] !== 'running',
    );
    expect(failed['state']).toBe('failed');
    expect((failed['error'] as { message: string }).message).toContain(
      'interrupted by a server restart',
    );
    expect(failed['finished_at']).not.toBeNull();
    const leftovers = (await readdir(join(env['MAAS_DATA_DIR'] as string, 'tmp'))).filter((name) =>
      name.startsWith(`train-${first.child.pid}-`),
    );
    expect(leftovers).toEqual([]);

    const events = await readEvents(second.baseUrl, killedJob.id);
    expect(
      events.filter((event) => event.type === 'state').map((event) => event.data['state']),
    ).toEqual(['queued', 'running', 'failed']);

    const succeeded = await waitForJob(second.baseUrl, queuedJob.id, (job) =>
      ['succeeded', 'failed'].includes(job['state'] as string),
    );
    expect(succeeded['state']).toBe('succeeded');
    expect(succeeded['model_version']).toBe(1);
    const model = await fetch(`${second.baseUrl}/v1/models/queued-reviews`);
    expect(model.status).toBe(200);
    const killedModel = await fetch(`${second.baseUrl}/v1/models/killed-reviews`);
    expect(killedModel.status).toBe(404);

    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  });

  it('fails a tagger job killed mid-run and runs the queued one', async () => {
    const first = await startServer();
    const datasetId = await uploadDataset(
      first.baseUrl,
      toConll(synthesizeNerSentences(80, 8)),
      'ner.conll',
    );
    const tagger = { embedding_dim: 8, units: 8, batch_size: 16 };
    const killedJob = (await (
      await postJob(first.baseUrl, {
        task: 'token-classification',
        dataset_id: datasetId,
        model: 'killed-ner',
        hyperparameters: { ...tagger, epochs: 500, patience: 500 },
      })
    ).json()) as { id: string };
    const queuedJob = (await (
      await postJob(first.baseUrl, {
        task: 'token-classification',
        architecture: 'bilstm',
        dataset_id: datasetId,
        model: 'queued-ner',
        hyperparameters: { ...tagger, epochs: 1 },
      })
    ).json()) as { id: string };

    await waitForJob(first.baseUrl, killedJob.id, (job) => (job['epoch'] as number) >= 1);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await startServer();
    const failed = await waitForJob(
      second.baseUrl,
      killedJob.id,
      (job) => job['state'] !== 'running',
    );
    expect(failed['state']).toBe('failed');
    expect((failed['error'] as { message: string }).message).toContain(
      'interrupted by a server restart',
    );
    const leftovers = (await readdir(join(env['MAAS_DATA_DIR'] as string, 'tmp'))).filter((name) =>
      name.startsWith(`train-${first.child.pid}-`),
    );
    expect(leftovers).toEqual([]);

    const succeeded = await waitForJob(second.baseUrl, queuedJob.id, (job) =>
      ['succeeded', 'failed'].includes(job['state'] as string),
    );
    expect(succeeded['state']).toBe('succeeded');
    const model = (await (await fetch(`${second.baseUrl}/v1/models/queued-ner`)).json()) as {
      task: string;
    };
    expect(model.task).toBe('token-classification');
    expect((await fetch(`${second.baseUrl}/v1/models/killed-ner`)).status).toBe(404);

    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  }, 120_000);

  it('fails a killed role tagger job', async () => {
    const first = await startServer();
    const datasetId = await uploadDataset(
      first.baseUrl,
      toConllu(synthesizeSrlSentences(60, 15)),
      'roles.conllu',
    );
    const roleTagger = { embedding_dim: 8, units: 8, lstm_layers: 1, batch_size: 16 };
    const killedJob = (await (
      await postJob(first.baseUrl, {
        task: 'semantic-role-labeling',
        dataset_id: datasetId,
        model: 'killed-srl',
        hyperparameters: { ...roleTagger, epochs: 500, patience: 500 },
      })
    ).json()) as { id: string };
    const queuedJob = (await (
      await postJob(first.baseUrl, {
        task: 'semantic-role-labeling',
        dataset_id: datasetId,
        model: 'queued-srl',
        hyperparameters: { ...roleTagger, epochs: 1 },
      })
    ).json()) as { id: string };

    await waitForJob(first.baseUrl, killedJob.id, (job) => (job['epoch'] as number) >= 1);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await startServer();
    const failed = await waitForJob(
      second.baseUrl,
      killedJob.id,
      (job) => job['state'] !== 'running',
    );
    expect(failed['state']).toBe('failed');
    expect((failed['error'] as { message: string }).message).toContain(
      'interrupted by a server restart',
    );
    const leftovers = (await readdir(join(env['MAAS_DATA_DIR'] as string, 'tmp'))).filter((name) =>
      name.startsWith(`train-${first.child.pid}-`),
    );
    expect(leftovers).toEqual([]);

    const succeeded = await waitForJob(second.baseUrl, queuedJob.id, (job) =>
      ['succeeded', 'failed'].includes(job['state'] as string),
    );
    expect(succeeded['state']).toBe('succeeded');
    const model = (await (await fetch(`${second.baseUrl}/v1/models/queued-srl`)).json()) as {
      task: string;
    };
    expect(model.task).toBe('semantic-role-labeling');
    expect((await fetch(`${second.baseUrl}/v1/models/killed-srl`)).status).toBe(404);

    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  }, 120_000);
});
