import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { runCli } from '../helpers/cli.js';
import { startTestServer } from '../helpers/test-server.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';
import {
  createJob,
  expectError,
  postJob,
  readEvents,
  readEventsCancellingAtEpoch,
  stateSequence,
  TINY_HYPERPARAMETERS,
  tinyReviewsCsv,
  uploadDataset,
  waitForJob,
} from '../helpers/training-jobs.js';

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;
let datasetId: string;

beforeAll(async () => {
  root = await makeTempDir('api-training-jobs');
  context = await openTestContext(root, {
    'serving.register_bundled': false,
    'training.concurrency': 1,
    'training.cancel_timeout_ms': 2000,
  });
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  datasetId = await uploadDataset(baseUrl, tinyReviewsCsv(), 'reviews.csv');
});

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

describe('training job checks', () => {
  it('rejects a model of another task before queueing', async () => {
    await context.registry.createVersion({
      name: 'other-task',
      task: 'token-classification',
      runtime: 'onnx',
      modelCard: {},
      writeFiles: (dir) => writeFile(join(dir, 'model.onnx'), 'placeholder'),
    });

    const response = await postJob(baseUrl, { dataset_id: datasetId, model: 'other-task' });

    const body = await expectError(response, 409, 'MAAS_ERR_MODEL_TASK_MISMATCH');
    expect(body.error.param).toBe('model');
    const list = (await (await fetch(`${baseUrl}/v1/training-jobs`)).json()) as {
      data: { model: string }[];
    };
    expect(list.data.some((job) => job.model === 'other-task')).toBe(false);
  });
});

describe('training job lifecycle', () => {
  it('trains to success over server-sent events', async () => {
    const jobId = await createJob(baseUrl, {
      dataset_id: datasetId,
      model: 'tiny-reviews',
      alias: 'staging',
      hyperparameters: TINY_HYPERPARAMETERS,
    });

    const events = await readEvents(baseUrl, jobId);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'succeeded']);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'epoch')).toHaveLength(2);
    const report = events.find((event) => event.type === 'report');
    expect(report?.data['model_version']).toBe(1);
    expect(events.at(-1)?.data).toEqual({ state: 'succeeded', model_version: 1 });

    const job = await waitForJob(baseUrl, jobId, () => true);
    expect(job['state']).toBe('succeeded');
    // With the request's names, so that they can be sent again as they are.
    expect(job['hyperparameters']).toEqual(TINY_HYPERPARAMETERS);
    expect(job['progress']).toBe(1);
    expect(job['epoch']).toBe(2);
    expect(job['metrics']).toHaveLength(2);
    expect(job['model_version']).toBe(1);
    expect(job['finished_at']).not.toBeNull();

    const model = (await (await fetch(`${baseUrl}/v1/models/tiny-reviews`)).json()) as {
      aliases: Record<string, number>;
      versions: { version: number; model_card: { training: { source: string } } }[];
    };
    expect(model.versions.map((version) => version.version)).toEqual([1]);
    expect(model.aliases).toEqual({ staging: 1 });
    expect(model.versions[0]?.model_card.training.source).toContain(datasetId);

    const predicted = await fetch(`${baseUrl}/v1/models/tiny-reviews@staging/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: '房间很干净' }),
    });
    expect(predicted.status).toBe(200);
  });

  it('replays events to a late subscriber and closes', async () => {
    const [finished] = (
      (await (await fetch(`${baseUrl}/v1/training-jobs?state=succeeded`)).json()) as {
        data: { id: string }[];
      }
    ).data;
    const events = await readEvents(baseUrl, finished?.id as string);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'succeeded']);

    const after = await readEvents(baseUrl, finished?.id as string, undefined, {
      'last-event-id': String(events.at(-2)?.id),
    });
    expect(after.map((event) => event.id)).toEqual([events.at(-1)?.id]);

    // At or past the final event: the stream ends at once, with nothing in it.
    // An id that is not digits replays everything, as no event has it.
    for (const lastEventId of [String(events.at(-1)?.id), '1000', '1234567890123456', '1e3']) {
      const none = await readEvents(baseUrl, finished?.id as string, undefined, {
        'last-event-id': lastEventId,
      });
      expect(none.length).toBe(lastEventId === '1e3' ? events.length : 0);
    }
  });

  it('cancels a running job', async () => {
    const jobId = await createJob(baseUrl, {
      dataset_id: datasetId,
      model: 'cancelled-reviews',
      hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 500, patience: 500 },
    });
    // With the JSON content type and no body, as some clients send every request.
    const { events, cancelStatus } = await readEventsCancellingAtEpoch(baseUrl, jobId, {
      'content-type': 'application/json',
    });
    expect(cancelStatus).toBe(202);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'cancelled']);

    const job = await waitForJob(baseUrl, jobId, () => true);
    expect(job['state']).toBe('cancelled');
    expect(job['model_version']).toBeNull();
    expect(job['progress']).toBeGreaterThan(0);
    expect(job['progress']).toBeLessThan(0.1);
    const models = await fetch(`${baseUrl}/v1/models/cancelled-reviews`);
    expect(models.status).toBe(404);

    const again = await fetch(`${baseUrl}/v1/training-jobs/${jobId}/cancel`, { method: 'POST' });
    await expectError(again, 409, 'MAAS_ERR_TRAINING_JOB_STATE');
  });

  it('drops the subscriber of a closed stream', async () => {
    const jobId = await createJob(baseUrl, {
      dataset_id: datasetId,
      model: 'watched-reviews',
      hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 500, patience: 500 },
    });
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/v1/training-jobs/${jobId}/events`, {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    await waitForJob(baseUrl, jobId, () => server.jobs.hub.subscriberCount(jobId) === 1);
    controller.abort();
    await waitForJob(baseUrl, jobId, () => server.jobs.hub.subscriberCount(jobId) === 0);

    await fetch(`${baseUrl}/v1/training-jobs/${jobId}/cancel`, { method: 'POST' });
    const job = await waitForJob(baseUrl, jobId, (current) => current['state'] === 'cancelled');
    expect(job['state']).toBe('cancelled');
  });

  it('cancels a queued job behind a running one', async () => {
    const runningId = await createJob(baseUrl, {
      dataset_id: datasetId,
      model: 'slow-reviews',
      hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 500, patience: 500 },
    });
    const queuedId = await createJob(baseUrl, { dataset_id: datasetId, model: 'queued-reviews' });
    await waitForJob(baseUrl, runningId, (job) => job['state'] === 'running');

    const cancelled = await fetch(`${baseUrl}/v1/training-jobs/${queuedId}/cancel`, {
      method: 'POST',
    });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');
    const events = await readEvents(baseUrl, queuedId);
    expect(stateSequence(events)).toEqual(['queued', 'cancelled']);

    const deleted = await fetch(`${baseUrl}/v1/datasets/${datasetId}`, { method: 'DELETE' });
    const body = await expectError(deleted, 409, 'MAAS_ERR_DATASET_IN_USE');
    expect(body.error.message).toContain(runningId);

    await fetch(`${baseUrl}/v1/training-jobs/${runningId}/cancel`, { method: 'POST' });
    await waitForJob(baseUrl, runningId, (job) => job['state'] === 'cancelled');
  });
});

describe('training job validation', () => {
  it('rejects a dataset kind without a trainer', async () => {
    const textId = await uploadDataset(baseUrl, 'plain text for a language model\n', 'lm.txt', {
      format: 'text',
    });
    const body = await expectError(
      await postJob(baseUrl, { dataset_id: textId, model: 'lm' }),
      422,
      'MAAS_ERR_TASK_UNSUPPORTED',
    );
    expect(body.error.message).toContain('language-modelling data');
    expect(body.error.message).toContain('text-classification (architectures lstm');
    expect(body.error.message).toContain('token-classification (architectures bilstm-crf, bilstm)');
  });

  it('rejects a task without a trainer', async () => {
    const body = await expectError(
      await postJob(baseUrl, { dataset_id: datasetId, task: 'fill-mask', model: 'm' }),
      422,
      'MAAS_ERR_TASK_UNSUPPORTED',
    );
    expect(body.error.param).toBe('task');
    expect(body.error.message).toContain('"fill-mask"');
  });

  it('rejects an unknown architecture', async () => {
    const body = await expectError(
      await postJob(baseUrl, { dataset_id: datasetId, model: 'm', architecture: 'bilstm-crf' }),
      422,
      'MAAS_ERR_TASK_UNSUPPORTED',
    );
    expect(body.error.param).toBe('architecture');
    expect(body.error.message).toContain('lstm, bilstm, gru, rnn, fasttext, textcnn, transformer');
  });

  it('rejects a validation label unseen in training', async () => {
    const validationId = await uploadDataset(
      baseUrl,
      'text,label\n还行吧,neutral\n很好,positive\n',
      'validation.csv',
    );
    const body = await expectError(
      await postJob(baseUrl, {
        dataset_id: datasetId,
        validation_dataset_id: validationId,
        model: 'm',
      }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.message).toContain('"neutral"');
    expect(body.error.details).toEqual({ labels: ['neutral'] });
  });

  it('trains with a separate validation dataset', async () => {
    const validationId = await uploadDataset(
      baseUrl,
      'text,label\n干净,positive\n太差,negative\n',
      'validation-ok.csv',
    );
    const jobId = await createJob(baseUrl, {
      dataset_id: datasetId,
      validation_dataset_id: validationId,
      model: 'validated-reviews',
      hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 1 },
    });
    const events = await readEvents(baseUrl, jobId);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'succeeded']);
    expect(events.find((event) => event.type === 'started')?.data['validation_rows']).toBe(2);
    const job = (await (await fetch(`${baseUrl}/v1/training-jobs/${jobId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(job['validation_dataset_id']).toBe(validationId);
    expect(job['validation_split']).toBeNull();
  });

  it.each([
    ['unknown dataset', { dataset_id: 'f'.repeat(64) }, 404, 'MAAS_ERR_DATASET_NOT_FOUND'],
    ['invalid model name', { model: 'bad name!' }, 400, 'MAAS_ERR_MODEL_NAME_INVALID'],
    ['missing dataset_id', { dataset_id: undefined }, 400, 'MAAS_ERR_REQUEST_INVALID'],
    ['unknown field', { colour: 'red' }, 400, 'MAAS_ERR_REQUEST_INVALID'],
    ['unknown hyperparameter', { hyperparameters: { colour: 1 } }, 400, 'MAAS_ERR_REQUEST_INVALID'],
    ['zero epochs', { hyperparameters: { epochs: 0 } }, 422, 'MAAS_ERR_TRAINING_INVALID'],
    [
      'int8 embedding_dtype',
      { hyperparameters: { embedding_dtype: 'int8' } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
    ],
    ['validation_split of 1', { validation_split: 1 }, 400, 'MAAS_ERR_REQUEST_INVALID'],
  ])('rejects %s', async (_case, fields, status, code) => {
    // JSON.stringify leaves out the fields set to undefined.
    const body = { dataset_id: datasetId, model: 'm', ...fields };
    await expectError(await postJob(baseUrl, body), status, code);
  });

  it.each([
    ['learning_rate', 5],
    ['kernel_sizes', [0]],
    ['input_dropout', 1],
  ])('names hyperparameters.%s in its error', async (name, value) => {
    const response = await postJob(baseUrl, {
      dataset_id: datasetId,
      model: 'm',
      architecture: 'textcnn',
      hyperparameters: { [name]: value },
    });

    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { message: string; param: string } };
    expect(error.param).toBe(`hyperparameters.${name}`);
    expect(error.message).toContain(`hyperparameters.${name}=`);
  });

  it.each([
    ['model', { model: 'bad name!' }],
    ['alias', { alias: '1st' }],
  ])('names %s in a name error', async (param, fields) => {
    const response = await postJob(baseUrl, { dataset_id: datasetId, model: 'm', ...fields });

    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; param: string } };
    expect(error.code).toBe('MAAS_ERR_MODEL_NAME_INVALID');
    expect(error.param).toBe(param);
  });

  it.each([
    ['dataset_id', { dataset_id: 'f'.repeat(64) }],
    ['validation_dataset_id', { validation_dataset_id: 'e'.repeat(64) }],
  ])('names %s when no dataset has the id', async (param, fields) => {
    const response = await postJob(baseUrl, { dataset_id: datasetId, model: 'm', ...fields });

    expect(response.status).toBe(404);
    const { error } = (await response.json()) as { error: { code: string; param: string } };
    expect(error.code).toBe('MAAS_ERR_DATASET_NOT_FOUND');
    expect(error.param).toBe(param);
  });

  it('points class_weights to class_weighting', async () => {
    const response = await postJob(baseUrl, {
      dataset_id: datasetId,
      model: 'weighted',
      hyperparameters: { class_weights: 'balanced' },
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { param: string; message: string } };
    expect(error.param).toBe('hyperparameters.class_weights');
    expect(error.message).toContain('use class_weighting, the field of maas train --class-weights');
  });

  it('rejects a model over training.max_parameters', async () => {
    const response = await postJob(baseUrl, {
      dataset_id: datasetId,
      model: 'm',
      hyperparameters: { vocabulary_size: 1_000_000, embedding_dim: 2048 },
    });

    expect(response.status).toBe(422);
    const { error } = (await response.json()) as {
      error: { code: string; message: string; param: string };
    };
    expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect(error.param).toBe('hyperparameters');
    expect(error.message).toContain('over training.max_parameters (100,000,000)');
  });

  it('returns 404 for an unknown job', async () => {
    await expectError(
      await fetch(`${baseUrl}/v1/training-jobs/job-missing`),
      404,
      'MAAS_ERR_TRAINING_JOB_NOT_FOUND',
    );
    await expectError(
      await fetch(`${baseUrl}/v1/training-jobs/job-missing/events`),
      404,
      'MAAS_ERR_TRAINING_JOB_NOT_FOUND',
    );
  });

  it('queues nothing for a rejected job', async () => {
    const before = ((await (await fetch(`${baseUrl}/v1/training-jobs`)).json()) as { data: [] })
      .data.length;
    await postJob(baseUrl, { dataset_id: datasetId, model: 'm', architecture: 'cnn' });
    const after = ((await (await fetch(`${baseUrl}/v1/training-jobs`)).json()) as { data: [] }).data
      .length;
    expect(after).toBe(before);
  });
});

describe('maas train --server', () => {
  const tinyFlags = ['--epochs', '1', '--embedding-dim', '8', '--units', '8', '--max-length', '16'];

  it('trains on the server and follows the job', async () => {
    const file = join(root, 'remote.csv');
    await writeFile(file, tinyReviewsCsv(10));
    const result = await runCli(
      [
        'train',
        file,
        '--name',
        'remote-reviews',
        '--server',
        baseUrl,
        '--min-count',
        '1',
        ...tinyFlags,
      ],
      {},
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/training job job-[0-9a-f-]+ queued/);
    expect(result.stdout).toContain('epoch 1/1');
    expect(result.stdout).toContain('registered remote-reviews@1');
    expect(result.stdout).toContain('succeeded (version 1)');
  });

  it('sends the key in MAAS_API_KEY', async () => {
    const keyed = await startTestServer(root, { 'serving.register_bundled': false });
    try {
      const { secret } = await keyed.context.tenancy.keys.create({
        name: 'trainer',
        scopes: ['train'],
      });
      const file = join(root, 'remote-keyed.csv');
      await writeFile(file, tinyReviewsCsv(10));
      const args = ['train', file, '--name', 'keyed', '--server', keyed.baseUrl, ...tinyFlags];

      const without = await runCli(args, {});
      expect(without.code).not.toBe(0);
      expect(without.stderr).toContain('MAAS_ERR_AUTH_KEY_MISSING');
      expect(without.stderr).toContain('set MAAS_API_KEY to a key with the train scope');

      const withKey = await runCli(args, { MAAS_API_KEY: secret });
      expect(withKey.stderr).toBe('');
      expect(withKey.stdout).toContain('succeeded (version 1)');
    } finally {
      await keyed.close();
    }
  });

  it('rejects flags that jobs do not take', async () => {
    const file = join(root, 'remote.csv');
    const result = await runCli(
      ['train', file, '--name', 'm', '--server', baseUrl, '--test-split', '0.2'],
      {},
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--test-split cannot be used with --server');
  });
});

describe('server shutdown', () => {
  it('fails the running job', async () => {
    const logged: { level: number; msg: string; err?: unknown }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString('utf8')) as (typeof logged)[number]);
        done();
      },
    });
    const shutdownContext = await openTestContext(root, { 'serving.register_bundled': false });
    const shutdownServer = buildServer(shutdownContext, pino({ level: 'info' }, sink));
    const url = await shutdownServer.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const id = await uploadDataset(url, tinyReviewsCsv(), 'reviews.csv');
      const response = await postJob(url, {
        dataset_id: id,
        model: 'shutdown-reviews',
        hyperparameters: { ...TINY_HYPERPARAMETERS, epochs: 500, patience: 500 },
      });
      const { id: jobId } = (await response.json()) as { id: string };
      await waitForJob(url, jobId, (job) => (job['epoch'] as number) >= 1);
      const streamed = readEvents(url, jobId);
      // Lets the stream send its stored events before the shutdown starts.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await shutdownServer.app.close();

      const job = await shutdownContext.jobs.get(jobId);
      expect(job.state).toBe('failed');
      expect(job.error?.message).toContain('interrupted by a server shutdown');
      // A shutdown is expected: one warning without a stack, no error entry.
      const ended = logged.filter((entry) => entry.msg === 'training job failed');
      expect(ended.map((entry) => entry.level)).toEqual([40]);
      expect(ended[0]?.err).toBeUndefined();
      // The stream ends after the final state, so a client sees why the job ended.
      const last = (await streamed).at(-1);
      expect(last?.type).toBe('state');
      expect(last?.data['state']).toBe('failed');
      expect(String((last?.data['error'] as { message?: string })?.message)).toContain(
        'interrupted by a server shutdown',
      );
    } finally {
      await shutdownServer.app.close();
      await shutdownContext.close();
    }
  });
});
