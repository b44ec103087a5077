import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TAGGER_FILE } from '../../src/tasks/tagger-file.js';
import type { SrlExample } from '../../src/training/srl/instances.js';
import { runCli } from '../helpers/cli.js';
import { synthesizeSrlSentences, toConllu } from '../helpers/srl-fixture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  createJob,
  expectError,
  postJob,
  readEvents,
  readEventsCancellingAtEpoch,
  stateSequence,
  uploadDataset,
  waitForJob,
} from '../helpers/training-jobs.js';

interface Word {
  index: number;
  word: string;
  start: number;
  end: number;
}

interface Frame {
  predicate: Word;
  arguments: (Word & { role: string; score: number })[];
}

/** Hyperparameters that train a usable role tagger on 160 synthetic sentences in seconds. */
const SMALL_ROLE_TAGGER = {
  epochs: 10,
  patience: 10,
  embedding_dim: 16,
  predicate_embedding_dim: 8,
  units: 16,
  lstm_layers: 1,
  learning_rate: 0.01,
  batch_size: 16,
  min_count: 1,
};

/** Sentences with a Chinese name, a word with an emoji and accented words. */
const MIXED_SCRIPT_SENTENCES: SrlExample[][] = [
  [
    {
      tokens: ['李娜', 'painted', 'the', 'boat🚤', 'today'],
      predicateIndex: 1,
      labels: ['ARG0', 'V', 'O', 'ARG1', 'ARGM-TMP'],
    },
  ],
  [
    {
      tokens: ['Zoë', 'washed', 'the', 'café', 'yesterday'],
      predicateIndex: 1,
      labels: ['ARG0', 'V', 'O', 'ARG1', 'ARGM-TMP'],
    },
  ],
];

let root: string;
let server: TestServer;
let baseUrl: string;
let rolesId: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'srljob-api-'));
  server = await startTestServer(root, {
    'serving.register_bundled': false,
    'serving.max_queue_delay_ms': 5,
    'training.concurrency': 1,
    'training.cancel_timeout_ms': 2000,
  });
  baseUrl = server.baseUrl;
  const sentences = [...synthesizeSrlSentences(160, 11), ...MIXED_SCRIPT_SENTENCES];
  rolesId = await uploadDataset(baseUrl, toConllu(sentences), 'roles.conllu');
});

afterAll(async () => {
  await server?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

async function predict(model: string, inputs: string, predicateIndex: number): Promise<Frame[]> {
  const response = await fetch(`${baseUrl}/v1/models/${model}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs, parameters: { predicate_index: predicateIndex } }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Frame[];
}

function roles(frame: Frame | undefined): [string, string][] {
  return (frame?.arguments ?? []).map((argument) => [argument.role, argument.word]);
}

describe('role tagger training job', () => {
  it('trains, registers and serves a role tagger', async () => {
    const jobId = await createJob(baseUrl, {
      task: 'semantic-role-labeling',
      dataset_id: rolesId,
      model: 'srl-job',
      alias: 'staging',
      validation_split: 0.2,
      hyperparameters: SMALL_ROLE_TAGGER,
    });

    const events = await readEvents(baseUrl, jobId);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'succeeded']);
    expect(events.at(-1)?.data).toEqual({ state: 'succeeded', model_version: 1 });
    const started = events.find((event) => event.type === 'started')?.data;
    expect(started?.['epochs']).toBe(10);
    // Each "wanted to paint" sentence has two predicates, so predicates outnumber sentences.
    expect(started?.['train_rows']).toBeGreaterThan(130);
    expect(started?.['validation_rows']).toBeGreaterThan(32);
    const epochs = events.filter((event) => event.type === 'epoch');
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs[0]?.data['epochs']).toBe(10);
    expect(typeof epochs[0]?.data['val_f1']).toBe('number');
    expect(epochs[0]?.data).not.toHaveProperty('val_token_accuracy');
    expect(events.some((event) => event.type === 'progress')).toBe(true);
    const report = events.find((event) => event.type === 'report')?.data as {
      model: string;
      model_version: number;
      best_epoch: number;
      validation: {
        predicates: number;
        overall: { f1: number };
        per_role: Record<string, { support: number }>;
      };
    };
    expect(report.model).toBe('srl-job');
    expect(report.model_version).toBe(1);
    expect(report.validation.predicates).toBe(started?.['validation_rows']);
    expect(Object.keys(report.validation.per_role)).toEqual([
      'ARG0',
      'ARG1',
      'ARGM-NEG',
      'ARGM-TMP',
    ]);
    expect(report.validation.overall.f1).toBeGreaterThan(0.8);
    const bestEpoch = epochs.find((event) => event.data['epoch'] === report.best_epoch);
    expect(bestEpoch?.data['val_f1']).toBe(report.validation.overall.f1);

    const job = await waitForJob(baseUrl, jobId, () => true);
    expect(job['task']).toBe('semantic-role-labeling');
    expect(job['architecture']).toBe('bilstm');
    expect(job['progress']).toBe(1);
    expect(job['hyperparameters']).toMatchObject({ lstm_layers: 1, predicate_embedding_dim: 8 });

    const model = (await (await fetch(`${baseUrl}/v1/models/srl-job`)).json()) as {
      task: string;
      aliases: Record<string, number>;
      versions: { model_card: Record<string, unknown> }[];
    };
    expect(model.task).toBe('semantic-role-labeling');
    expect(model.aliases).toEqual({ staging: 1 });
    const card = model.versions[0]?.model_card as {
      architecture: string;
      labels: string[];
      parameters: number;
      training: {
        source: string;
        hyperparameters: { layers: number; units: number };
        dataset: { sentences: number; predicates: number; role_counts: Record<string, number> };
        split: { validation_fraction: number; train_sentences: number };
      };
      metrics: { validation: { overall: { f1: number } }; test: null };
      onnx_parity: { max_abs_diff: number };
    };
    expect(card.architecture).toBe('bilstm-predicate-indicator');
    expect(card.labels).toEqual(['O', 'V', 'ARG0', 'ARG1', 'ARGM-NEG', 'ARGM-TMP']);
    expect(card.parameters).toBeGreaterThan(0);
    expect(card.training.source).toContain(rolesId);
    expect(card.training.hyperparameters).toMatchObject({ layers: 1, units: 16 });
    expect(card.training.dataset.sentences).toBe(162);
    expect(card.training.split.validation_fraction).toBe(0.2);
    expect(card.training.split.train_sentences).toBe(162 - Math.round(162 * 0.2));
    expect(card.metrics.validation.overall.f1).toBe(report.validation.overall.f1);
    expect(card.metrics.test).toBeNull();
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
    const version = await server.context.registry.resolve('srl-job@1');
    const file = JSON.parse(await readFile(join(version.dir, TAGGER_FILE), 'utf8')) as {
      vocabulary: string[];
    };
    expect(file.vocabulary).toContain('李娜');
    expect(file.vocabulary).toContain('boat🚤');
    expect(file.vocabulary).toContain('café');

    const text = 'Anna chased the dog yesterday';
    const [frame] = await predict('srl-job@staging', text, 1);
    expect(frame?.predicate).toEqual({ index: 1, word: 'chased', start: 5, end: 11 });
    expect(roles(frame)).toEqual([
      ['ARG0', 'Anna'],
      ['ARG1', 'dog'],
      ['ARGM-TMP', 'yesterday'],
    ]);
  }, 180_000);

  it('counts offsets in UTF-16 units after emoji', async () => {
    const text = '🐶👍🏽 Emma washed the boat';
    const [frame] = await predict('srl-job@1', text, 3);

    expect(frame?.predicate.word).toBe('washed');
    expect(frame?.predicate.start).toBe(text.indexOf('washed'));
    for (const argument of frame?.arguments ?? []) {
      expect(text.slice(argument.start, argument.end)).toBe(argument.word);
    }
    expect(roles(frame)).toContainEqual(['ARG1', 'boat']);
  });

  it('validates on a separate dataset', async () => {
    const validationId = await uploadDataset(
      baseUrl,
      toConllu(synthesizeSrlSentences(12, 12)),
      'roles-validation.conllu',
    );
    const jobId = await createJob(baseUrl, {
      dataset_id: rolesId,
      validation_dataset_id: validationId,
      model: 'srl-validated',
      hyperparameters: { ...SMALL_ROLE_TAGGER, epochs: 1 },
    });

    const events = await readEvents(baseUrl, jobId);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'succeeded']);
    const predicates = synthesizeSrlSentences(12, 12).flat().length;
    const started = events.find((event) => event.type === 'started')?.data;
    expect(started?.['validation_rows']).toBe(predicates);
    const model = (await (await fetch(`${baseUrl}/v1/models/srl-validated`)).json()) as {
      versions: { model_card: Record<string, unknown> }[];
    };
    const card = model.versions[0]?.model_card as {
      training: {
        split: {
          validation_dataset: string;
          validation_fraction: null;
          validation_sentences: number;
          train_sentences: number;
        };
      };
    };
    expect(card.training.split.validation_dataset).toBe(validationId);
    expect(card.training.split.validation_fraction).toBeNull();
    expect(card.training.split.validation_sentences).toBe(12);
    expect(card.training.split.train_sentences).toBe(162);
  }, 60_000);

  it('cancels a running role tagger job', async () => {
    const jobId = await createJob(baseUrl, {
      dataset_id: rolesId,
      model: 'srl-cancelled',
      hyperparameters: { ...SMALL_ROLE_TAGGER, epochs: 500, patience: 500 },
    });
    const { events, cancelStatus } = await readEventsCancellingAtEpoch(baseUrl, jobId);

    expect(cancelStatus).toBe(202);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'cancelled']);
    const job = await waitForJob(baseUrl, jobId, () => true);
    expect(job['model_version']).toBeNull();
    expect((await fetch(`${baseUrl}/v1/models/srl-cancelled`)).status).toBe(404);
  }, 60_000);

  it('registers nothing after a late cancel', async () => {
    const jobId = await createJob(baseUrl, {
      dataset_id: rolesId,
      model: 'srl-late-cancel',
      hyperparameters: { ...SMALL_ROLE_TAGGER, epochs: 1 },
    });
    // The last epoch event comes before the ONNX export and its check against tfjs.
    const { events, cancelStatus } = await readEventsCancellingAtEpoch(baseUrl, jobId);

    expect(cancelStatus).toBe(202);
    expect(stateSequence(events)).toEqual(['queued', 'running', 'cancelled']);
    expect(events.some((event) => event.type === 'report')).toBe(false);
    expect((await fetch(`${baseUrl}/v1/models/srl-late-cancel`)).status).toBe(404);
  }, 60_000);
});

describe('role tagger job failures', () => {
  it('rejects a predicate past max_length before queueing', async () => {
    const response = await postJob(baseUrl, {
      dataset_id: rolesId,
      model: 'srl-short',
      hyperparameters: { ...SMALL_ROLE_TAGGER, max_length: 3 },
    });

    expect(response.status).toBe(422);
    const { error } = (await response.json()) as {
      error: { code: string; message: string; param: string };
    };
    expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect(error.param).toBe('hyperparameters.max_length');
    // "Anna wanted to paint the boat" has its second predicate at token 4.
    expect(error.message).toContain('a predicate at token 4 of its sentence, past max_length 3');
    expect(error.message).toContain('set hyperparameters.max_length to 4 or more');
    const jobs = (await (await fetch(`${baseUrl}/v1/training-jobs`)).json()) as {
      data: { model: string }[];
    };
    expect(jobs.data.some((job) => job.model === 'srl-short')).toBe(false);
  });
});

describe('role tagger job checks', () => {
  it('rejects a validation role unseen in training', async () => {
    const unseen: SrlExample[][] = [
      [
        {
          tokens: ['Anna', 'slept', 'in', 'Paris'],
          predicateIndex: 1,
          labels: ['ARG0', 'V', 'O', 'ARGM-LOC'],
        },
      ],
    ];
    const validationId = await uploadDataset(baseUrl, toConllu(unseen), 'unseen.conllu');

    const body = await expectError(
      await postJob(baseUrl, {
        dataset_id: rolesId,
        validation_dataset_id: validationId,
        model: 'm',
      }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.message).toContain('"ARGM-LOC"');
    expect(body.error.param).toBe('validation_dataset_id');
    expect(body.error.details).toEqual({ roles: ['ARGM-LOC'] });
  });

  it('rejects a dataset without predicates', async () => {
    const text = '1\tAnna\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\n2\tslept\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\n';
    const id = await uploadDataset(baseUrl, text, 'no-predicates.conllu');

    const body = await expectError(
      await postJob(baseUrl, { dataset_id: id, model: 'm' }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.param).toBe('dataset_id');
    expect(body.error.message).toContain('has no predicate');
  });

  it('rejects a validation dataset without predicates', async () => {
    const text = '1\tBen\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\n2\tran\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\n';
    const validationId = await uploadDataset(baseUrl, text, 'no-predicates-2.conllu');

    const body = await expectError(
      await postJob(baseUrl, {
        dataset_id: rolesId,
        validation_dataset_id: validationId,
        model: 'm',
      }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.param).toBe('validation_dataset_id');
  });

  it('rejects a dataset without argument labels', async () => {
    const bare: SrlExample[][] = [
      [{ tokens: ['Anna', 'slept'], predicateIndex: 1, labels: ['O', 'V'] }],
      [{ tokens: ['Ben', 'ran'], predicateIndex: 1, labels: ['O', 'V'] }],
    ];
    const id = await uploadDataset(baseUrl, toConllu(bare), 'no-arguments.conllu');

    const body = await expectError(
      await postJob(baseUrl, { dataset_id: id, model: 'm' }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.param).toBe('dataset_id');
    expect(body.error.message).toContain('labels no argument');
  });

  it('rejects a split that leaves no training sentence', async () => {
    const id = await uploadDataset(
      baseUrl,
      toConllu(synthesizeSrlSentences(2, 13)),
      'two-sentences.conllu',
    );

    const body = await expectError(
      await postJob(baseUrl, { dataset_id: id, model: 'm', validation_split: 0.9 }),
      422,
      'MAAS_ERR_TRAINING_INVALID',
    );
    expect(body.error.param).toBe('validation_split');
    expect(body.error.message).toContain('2 sentence(s) with a predicate');
  });

  it('rejects a CoNLL-U dataset for a tagger job', async () => {
    const body = await expectError(
      await postJob(baseUrl, {
        dataset_id: rolesId,
        model: 'srl-job',
        task: 'token-classification',
      }),
      400,
      'MAAS_ERR_DATASET_KIND_MISMATCH',
    );
    expect(body.error.param).toBe('dataset_id');
    expect(body.error.message).toContain('cannot train task token-classification');
  });

  it.each([
    [
      'tagger architecture',
      { architecture: 'bilstm-crf' },
      422,
      'MAAS_ERR_TASK_UNSUPPORTED',
      'architecture',
    ],
    [
      'zero lstm_layers',
      { hyperparameters: { lstm_layers: 0 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.lstm_layers',
    ],
    [
      'model over training.max_parameters',
      { hyperparameters: { lstm_layers: 64, units: 2048 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters',
    ],
    [
      'fractional predicate_embedding_dim',
      { hyperparameters: { predicate_embedding_dim: 2.5 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.predicate_embedding_dim',
    ],
    [
      'dropout of 1',
      { hyperparameters: { dropout: 1 } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.dropout',
    ],
    [
      'string learning_rate',
      { hyperparameters: { learning_rate: '0.01' } },
      422,
      'MAAS_ERR_TRAINING_INVALID',
      'hyperparameters.learning_rate',
    ],
    [
      'tagger hyperparameter',
      { hyperparameters: { unit: 'word' } },
      400,
      'MAAS_ERR_REQUEST_INVALID',
      'hyperparameters.unit',
    ],
    [
      'model field name of layers',
      { hyperparameters: { layers: 2 } },
      400,
      'MAAS_ERR_REQUEST_INVALID',
      'hyperparameters.layers',
    ],
  ])('rejects %s', async (_case, fields, status, code, param) => {
    const body = await expectError(
      await postJob(baseUrl, { dataset_id: rolesId, model: 'm', ...fields }),
      status,
      code,
    );
    expect(body.error.param).toBe(param);
    expect(body.error.message).toContain(param.replace(/^hyperparameters\./, ''));
  });
});

describe('maas train --server for a role tagger', () => {
  it('trains a role tagger on the server', async () => {
    const file = join(root, 'remote.conllu');
    await writeFile(file, toConllu(synthesizeSrlSentences(40, 14)));

    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'semantic-role-labeling',
        '--name',
        'srl-remote',
        '--server',
        baseUrl,
        '--epochs',
        '1',
        '--embedding-dim',
        '8',
        '--units',
        '8',
        '--lstm-layers',
        '1',
        '--sense-column',
        '10',
      ],
      {},
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/training job job-[0-9a-f-]+ queued/);
    expect(result.stdout).toMatch(/training on \d+ predicates, validating on \d+/);
    expect(result.stdout).toMatch(/epoch 1\/1 {2}loss \d+\.\d{4} {2}val_f1 \d+\.\d\d%\n/);
    expect(result.stdout).toContain('registered srl-remote@1');

    const [job] = (
      (await (await fetch(`${baseUrl}/v1/training-jobs`)).json()) as {
        data: Record<string, unknown>[];
      }
    ).data;
    expect(job?.['task']).toBe('semantic-role-labeling');
    expect(job?.['hyperparameters']).toEqual({
      epochs: 1,
      embedding_dim: 8,
      units: 8,
      lstm_layers: 1,
    });
    const dataset = (await (
      await fetch(`${baseUrl}/v1/datasets/${job?.['dataset_id'] as string}`)
    ).json()) as { format: string; read_options: Record<string, unknown> };
    expect(dataset.format).toBe('conllu');
    expect(dataset.read_options).toEqual({ sense_column: 10 });
  }, 60_000);

  it('rejects another architecture before uploading', async () => {
    const file = join(root, 'remote.conllu');
    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'semantic-role-labeling',
        '--name',
        'x',
        '--architecture',
        'bilstm-crf',
        '--server',
        baseUrl,
      ],
      {},
    );

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('does not train semantic-role-labeling');
  });
});
