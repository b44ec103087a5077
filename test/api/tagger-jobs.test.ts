import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { splitSentences } from '../../src/training/tagging/split.js';
import { runCli } from '../helpers/cli.js';
import { synthesizeNerSentences, toConll } from '../helpers/ner-fixture.js';
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
  tinyReviewsCsv,
  uploadDataset,
  waitForJob,
} from '../helpers/training-jobs.js';

/** Hyperparameters that train a usable tagger on 200 synthetic sentences in seconds. */
const SMALL_TAGGER = {
  epochs: 4,
  embedding_dim: 16,
  units: 16,
  learning_rate: 0.01,
  batch_size: 16,
};

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;
let nerId: string;
let csvId: string;

beforeAll(async () => {
  root = await makeTempDir('api-tagger-jobs');
  context = await openTestContext(root, {
    'serving.register_bundled': false,
    'training.concurrency': 1,
    'training.cancel_timeout_ms': 2000,
  });
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  nerId = await uploadDataset(baseUrl, toConll(synthesizeNerSentences(200, 4)), 'ner.conll');
  csvId = await uploadDataset(baseUrl, tinyReviewsCsv(), 'reviews.csv');
});

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

describe('tagger training job', () => {
  it('trains, registers and serves a tagger', async () => {
    const jobId = await createJob(baseUrl, {
      task: 'token-classification',
      architecture: 'bilstm-crf',
      dataset_id: nerId,
      model: 'ner-job',
      alias: 'staging',
      validation_split: 0.2,
      hyperparameters: SMALL_TAGGER,
    });

    const events = await readEvents(baseUrl, jobId);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'succeeded']);
    expect(events.at(-1)?.data).toEqual({ state: 'succeeded', model_version: 1 });
    const started = events.find((event) => event.type === 'started');
    expect(started?.data).toMatchObject({ train_rows: 160, validation_rows: 40, epochs: 4 });
    const epochs = events.filter((event) => event.type === 'epoch');
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs[0]?.data).toHaveProperty('val_f1');
    expect(epochs[0]?.data).toHaveProperty('val_token_accuracy');
    expect(events.some((event) => event.type === 'progress')).toBe(true);
    const report = events.find((event) => event.type === 'report')?.data as {
      model_version: number;
      validation: { overall: { f1: number }; per_type: Record<string, unknown> };
    };
    expect(report.model_version).toBe(1);
    expect(Object.keys(report.validation.per_type)).toEqual(['LOC', 'ORG', 'PER']);
    expect(report.validation.overall.f1).toBeGreaterThan(0.5);

    const job = await waitForJob(baseUrl, jobId, () => true);
    expect(job['task']).toBe('token-classification');
    expect(job['architecture']).toBe('bilstm-crf');
    expect(job['progress']).toBe(1);
    expect(job['hyperparameters']).toMatchObject({ embedding_dim: 16, learning_rate: 0.01 });

    const model = (await (await fetch(`${baseUrl}/v1/models/ner-job`)).json()) as {
      task: string;
      aliases: Record<string, number>;
      versions: { model_card: Record<string, unknown> }[];
    };
    expect(model.task).toBe('token-classification');
    expect(model.aliases).toEqual({ staging: 1 });
    const card = model.versions[0]?.model_card as {
      architecture: string;
      labels: string[];
      training: { source: string; hyperparameters: { unit: string } };
      onnx_parity: { max_abs_diff: number };
    };
    expect(card.architecture).toBe('bilstm-crf');
    expect(card.labels[0]).toBe('O');
    expect(card.training.source).toContain(nerId);
    expect(card.training.hyperparameters.unit).toBe('character');
    expect(card.onnx_parity.max_abs_diff).toBeLessThan(1e-4);

    const predicted = await fetch(`${baseUrl}/v1/models/ner-job@staging/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: '张伟在成都工作' }),
    });
    expect(predicted.status).toBe(200);
    const entities = (await predicted.json()) as { entity_group: string; word: string }[];
    expect(entities.map((entity) => `${entity.entity_group}:${entity.word}`)).toEqual([
      'PER:张伟',
      'LOC:成都',
    ]);
  }, 120_000);

  it('validates on a separate dataset', async () => {
    const validationId = await uploadDataset(
      baseUrl,
      toConll(synthesizeNerSentences(12, 9)),
      'ner-validation.conll',
    );
    const jobId = await createJob(baseUrl, {
      dataset_id: nerId,
      validation_dataset_id: validationId,
      architecture: 'bilstm',
      model: 'ner-validated',
      hyperparameters: { ...SMALL_TAGGER, epochs: 1, unit: 'word' },
    });

    const events = await readEvents(baseUrl, jobId);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'succeeded']);
    const started = events.find((event) => event.type === 'started');
    expect(started?.data).toMatchObject({ train_rows: 200, validation_rows: 12 });
    const model = (await (await fetch(`${baseUrl}/v1/models/ner-validated`)).json()) as {
      versions: { model_card: Record<string, unknown> }[];
    };
    const card = model.versions[0]?.model_card as {
      architecture: string;
      training: { split: { validation_dataset: string }; hyperparameters: { unit: string } };
    };
    expect(card.architecture).toBe('bilstm');
    expect(card.training.split.validation_dataset).toBe(validationId);
    expect(card.training.hyperparameters.unit).toBe('word');
  }, 60_000);

  it('cancels a running tagger job', async () => {
    const jobId = await createJob(baseUrl, {
      task: 'token-classification',
      dataset_id: nerId,
      model: 'ner-cancelled',
      hyperparameters: { ...SMALL_TAGGER, epochs: 500, patience: 500 },
    });
    const { events, cancelStatus } = await readEventsCancellingAtEpoch(baseUrl, jobId);
    expect(cancelStatus).toBe(202);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'cancelled']);
    const job = await waitForJob(baseUrl, jobId, () => true);
    expect(job['model_version']).toBeNull();
    expect((await fetch(`${baseUrl}/v1/models/ner-cancelled`)).status).toBe(404);
  }, 60_000);
});

describe('tagger job checks', () => {
  it('rejects a validation dataset tag unseen in training', async () => {
    const validationId = await uploadDataset(
      baseUrl,
      '张\tB-PER\n伟\tI-PER\n在\tO\n联\tB-MISC\n合\tI-MISC\n',
      'validation.conll',
    );
    const body = await expectError(
      await postJob(baseUrl, {
        task: 'token-classification',
        dataset_id: nerId,
        validation_dataset_id: validationId,
        model: 'm',
      }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.message).toContain('"B-MISC"');
    expect(body.error.param).toBe('validation_dataset_id');
    expect(body.error.details).toEqual({ tags: ['B-MISC', 'I-MISC'] });
  });

  it('rejects a split whose validation part has an unseen tag', async () => {
    const sentences = synthesizeNerSentences(30, 5);
    const rare = { tokens: ['联', '合', '国'], tags: ['B-MISC', 'I-MISC', 'I-MISC'] };
    const all = [...sentences, rare];
    // Find the seed that puts the only MISC sentence into the validation part.
    let seed = 0;
    while (
      !splitSentences(all, { testFraction: 0, validationFraction: 0.2, seed }).validation.includes(
        rare,
      )
    ) {
      seed++;
    }
    const id = await uploadDataset(baseUrl, toConll(all), 'rare.conll');

    const body = await expectError(
      await postJob(baseUrl, {
        dataset_id: id,
        model: 'm',
        validation_split: 0.2,
        hyperparameters: { seed },
      }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.message).toContain('"B-MISC"');
    expect(body.error.param).toBe('validation_split');
    expect(body.error.details).toEqual({ tags: ['B-MISC', 'I-MISC'] });
  });

  it('rejects a classification dataset for a tagger job', async () => {
    const body = await expectError(
      await postJob(baseUrl, { task: 'token-classification', dataset_id: csvId, model: 'm' }),
      400,
      'MAAS_ERR_DATASET_KIND_MISMATCH',
    );
    expect(body.error.param).toBe('dataset_id');
    expect(body.error.message).toContain('cannot train task token-classification');
    expect(body.error.message).toContain('upload a conll file');
  });

  it('rejects a CoNLL dataset for a classifier job', async () => {
    const body = await expectError(
      await postJob(baseUrl, { task: 'text-classification', dataset_id: nerId, model: 'm' }),
      400,
      'MAAS_ERR_DATASET_KIND_MISMATCH',
    );
    expect(body.error.message).toContain('cannot train task text-classification');
  });

  it('rejects a CoNLL validation dataset for a classifier job', async () => {
    const body = await expectError(
      await postJob(baseUrl, { dataset_id: csvId, validation_dataset_id: nerId, model: 'm' }),
      400,
      'MAAS_ERR_DATASET_KIND_MISMATCH',
    );
    expect(body.error.param).toBe('validation_dataset_id');
  });

  it.each([
    [
      'classifier architecture',
      { architecture: 'lstm' },
      422,
      'MAAS_ERR_TASK_UNSUPPORTED',
      'architecture',
    ],
    [
      'zero embedding_dim',
      { hyperparameters: { embedding_dim: 0 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.embedding_dim',
    ],
    [
      'non-boolean character_features',
      { hyperparameters: { character_features: 'yes' } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.character_features',
    ],
    [
      'ngram_min above ngram_max',
      { hyperparameters: { ngram_min: 5, ngram_max: 3 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.ngram_min',
    ],
    [
      'zero ngram_buckets',
      { hyperparameters: { ngram_buckets: 0 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.ngram_buckets',
    ],
    [
      'unknown unit',
      { hyperparameters: { unit: 'byte' } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.unit',
    ],
    [
      'dropout of 1',
      { hyperparameters: { dropout: 1 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.dropout',
    ],
    [
      'classifier hyperparameter',
      { hyperparameters: { word_ngrams: 2 } },
      400,
      'MAAS_ERR_REQUEST_INVALID',
      'hyperparameters.word_ngrams',
    ],
  ])('rejects %s', async (_case, fields, status, code, param) => {
    const body = await expectError(
      await postJob(baseUrl, { dataset_id: nerId, model: 'm', ...fields }),
      status,
      code,
    );
    expect(body.error.param).toBe(param);
  });
});

describe('maas train --server for a tagger', () => {
  it('trains a tagger on the server', async () => {
    const file = join(root, 'remote.conll');
    await writeFile(file, toConll(synthesizeNerSentences(60, 6)));

    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'token-classification',
        '--architecture',
        'bilstm',
        '--name',
        'ner-remote',
        '--server',
        baseUrl,
        '--epochs',
        '1',
        '--embedding-dim',
        '8',
        '--units',
        '8',
      ],
      {},
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/training job job-[0-9a-f-]+ queued/);
    expect(result.stdout).toMatch(/epoch 1\/1 .*val_f1/);
    expect(result.stdout).toContain('registered ner-remote@1');

    const [job] = (
      (await (await fetch(`${baseUrl}/v1/training-jobs`)).json()) as {
        data: Record<string, unknown>[];
      }
    ).data;
    expect(job?.['task']).toBe('token-classification');
    expect(job?.['architecture']).toBe('bilstm');
    expect(job?.['hyperparameters']).toEqual({ epochs: 1, embedding_dim: 8, units: 8 });
  }, 60_000);
});

describe('maas eval for a tagger', () => {
  it('prints token accuracy and span scores', async () => {
    const file = join(root, 'eval.conll');
    await writeFile(file, toConll(synthesizeNerSentences(40, 7)));
    const env = { MAAS_DATA_DIR: context.dataDir, MAAS_SERVING_REGISTER_BUNDLED: 'false' };

    const table = await runCli(['eval', 'ner-job@1', file], env);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('ner-job@1 on 40 sentences');
    expect(table.stdout).toMatch(/token accuracy\s+\d+\.\d\d%/);
    expect(table.stdout).toMatch(/^PER\s+\d+\.\d\d%/m);
    expect(table.stdout).toMatch(/^overall\s+\d+\.\d\d%/m);

    const json = await runCli(['eval', 'ner-job@1', file, '--json'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      scheme: string;
      sequences: number;
      token_accuracy: number;
      overall: { precision: number; recall: number; f1: number };
      per_type: Record<string, { f1: number; support: number }>;
    };
    expect(report.scheme).toBe('conlleval');
    expect(report.sequences).toBe(40);
    expect(report.token_accuracy).toBeGreaterThan(0.8);
    expect(Object.keys(report.per_type)).toEqual(['LOC', 'ORG', 'PER']);
    expect(report.overall.f1).toBeGreaterThan(0.5);
  }, 60_000);
});
