import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { roleSet } from '../../src/training/srl/instances.js';
import { DEFAULT_SRL_HYPERPARAMETERS } from '../../src/training/srl/model.js';
import { registerSrlTagger } from '../../src/training/srl/register.js';
import { trainSrlTagger } from '../../src/training/srl/train.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';
import { synthesizeSrlSentences } from '../helpers/srl-fixture.js';

const HYPERPARAMETERS = {
  ...DEFAULT_SRL_HYPERPARAMETERS,
  embeddingDim: 16,
  predicateEmbeddingDim: 8,
  units: 16,
  layers: 1,
  epochs: 12,
  patience: 12,
  learningRate: 0.01,
  batchSize: 16,
  minCount: 1,
  // A short window, so that a longer input is cut around its predicate.
  maxLength: 8,
};

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;
let validationF1: number;

beforeAll(async () => {
  root = await makeTempDir('api-srl');
  context = await openTestContext(root, {
    'serving.max_queue_delay_ms': 5,
    'limits.max_predicates': 3,
  });
  const train = synthesizeSrlSentences(160, 1).flat();
  const validation = synthesizeSrlSentences(30, 2).flat();
  const trained = await trainSrlTagger({
    train,
    validation,
    roles: roleSet(train),
    hyperparameters: HYPERPARAMETERS,
  });
  validationF1 = trained.validation.overall.f1;
  await registerSrlTagger(context.registry, trained, {
    name: 'srl-test',
    hyperparameters: HYPERPARAMETERS,
    validation,
    test: synthesizeSrlSentences(20, 3).flat(),
  });
  trained.model.dispose();
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
}, 240_000);

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

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
interface ErrorBody {
  error: { code: string; message: string; param?: string };
}

async function predict(body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${baseUrl}/v1/models/srl-test/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

function roles(frame: Frame | undefined): [string, string][] {
  return (frame?.arguments ?? []).map((argument) => [argument.role, argument.word]);
}

describe('semantic role labeling over HTTP', () => {
  it('registers with the task and argument reports', async () => {
    const version = await context.registry.resolve('srl-test');
    const card = version.modelCard as {
      metrics: { test: { overall: { f1: number } }; validation: { per_role: object } };
      onnx_parity: { max_abs_diff: number };
    };

    expect(version.task).toBe('semantic-role-labeling');
    expect(validationF1).toBeGreaterThan(0.9);
    expect(card.metrics.test.overall.f1).toBeGreaterThan(0.9);
    expect(Object.keys(card.metrics.validation.per_role)).toContain('ARG0');
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
  });

  it('returns the arguments of one predicate with offsets', async () => {
    const text = 'Anna chased the dog yesterday';
    const { status, json } = await predict({ inputs: text, parameters: { predicate_index: 1 } });
    const frames = json as Frame[];

    expect(status).toBe(200);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.predicate).toEqual({ index: 1, word: 'chased', start: 5, end: 11 });
    expect(roles(frames[0])).toEqual([
      ['ARG0', 'Anna'],
      ['ARG1', 'dog'],
      ['ARGM-TMP', 'yesterday'],
    ]);
    for (const argument of frames[0]?.arguments ?? []) {
      expect(text.slice(argument.start, argument.end)).toBe(argument.word);
      expect(argument.score).toBeGreaterThan(0);
      expect(argument.score).toBeLessThanOrEqual(1);
    }
  });

  it('answers each listed predicate in order', async () => {
    const { status, json } = await predict({
      inputs: 'Ben wanted to paint the boat',
      parameters: { predicate_indexes: [3, 1] },
    });
    const frames = json as Frame[];

    expect(status).toBe(200);
    expect(frames.map((frame) => frame.predicate.word)).toEqual(['paint', 'wanted']);
    expect(roles(frames[0])).toEqual([
      ['ARG0', 'Ben'],
      ['ARG1', 'boat'],
    ]);
    expect(roles(frames[1])).toEqual([
      ['ARG0', 'Ben'],
      ['ARG1', 'paint'],
    ]);
  });

  it('returns one list per input for an array', async () => {
    const { status, json } = await predict({
      inputs: ['Carla saw the car today', 'David found the ball tonight'],
      parameters: { predicate_index: 1 },
    });
    const results = json as Frame[][];

    expect(status).toBe(200);
    expect(results).toHaveLength(2);
    expect(results[1]?.[0]?.predicate.word).toBe('found');
  });

  it('counts offsets in UTF-16 units after emoji', async () => {
    const text = '🐶👍🏽 Emma washed the boat';
    const { status, json } = await predict({ inputs: text, parameters: { predicate_index: 3 } });
    const frame = (json as Frame[])[0];

    expect(status).toBe(200);
    expect(frame?.predicate.word).toBe('washed');
    expect(frame?.predicate.start).toBe(text.indexOf('washed'));
    for (const argument of frame?.arguments ?? []) {
      expect(text.slice(argument.start, argument.end)).toBe(argument.word);
    }
    expect(roles(frame)).toContainEqual(['ARG1', 'boat']);
  });

  it('cuts a long input around its predicate', async () => {
    const text = 'one two three four five six seven eight nine Anna chased the dog yesterday';
    const { status, json } = await predict({ inputs: text, parameters: { predicate_index: 10 } });
    const frame = (json as Frame[])[0];

    expect(status).toBe(200);
    expect(frame?.predicate.word).toBe('chased');
    expect(roles(frame)).toContainEqual(['ARG1', 'dog']);
    for (const argument of frame?.arguments ?? []) {
      expect(argument.index).toBeGreaterThanOrEqual(6);
    }
  });

  const badRequests: [string, Record<string, unknown>, string, RegExp][] = [
    ['missing predicate', {}, 'parameters.predicate_index', /is required/],
    [
      'negative index',
      { predicate_index: -1 },
      'parameters.predicate_index',
      /integer of 0 or more/,
    ],
    ['fractional index', { predicate_index: 1.5 }, 'parameters.predicate_index', /got 1\.5/],
    ['string index', { predicate_index: '1' }, 'parameters.predicate_index', /got "1"/],
    [
      'index past the end',
      { predicate_index: 5 },
      'parameters.predicate_index',
      /has 5 word\(s\), so the index must be 0 to 4/,
    ],
    ['empty list', { predicate_indexes: [] }, 'parameters.predicate_indexes', /non-empty list/],
    [
      'list item past the end',
      { predicate_indexes: [1, 9] },
      'parameters.predicate_indexes[1]',
      /is 9/,
    ],
    ['repeated index', { predicate_indexes: [1, 1] }, 'parameters.predicate_indexes[1]', /repeats/],
    [
      'both forms',
      { predicate_index: 1, predicate_indexes: [1] },
      'parameters.predicate_indexes',
      /not both/,
    ],
    ['unknown parameter', { predicate_index: 1, top_k: 2 }, 'parameters.top_k', /not a parameter/],
  ];

  for (const [name, parameters, param, message] of badRequests) {
    it(`rejects a ${name} with 400`, async () => {
      const { status, json } = await predict({
        inputs: 'Anna chased the dog yesterday',
        parameters,
      });
      const { error } = json as ErrorBody;

      expect(status).toBe(400);
      expect(error.code).toBe('MAAS_ERR_REQUEST_INVALID');
      expect(error.param).toBe(param);
      expect(error.message).toMatch(message);
    });
  }

  it('rejects more predicates than the limit', async () => {
    const { status, json } = await predict({
      inputs: 'Anna chased the dog yesterday',
      parameters: { predicate_indexes: [0, 1, 2, 3] },
    });
    const { error } = json as ErrorBody;

    expect(status).toBe(400);
    expect(error.param).toBe('parameters.predicate_indexes');
    expect(error.message).toContain('limits.max_predicates');
  });

  it('names the input of a batch whose index is out of range', async () => {
    const { status, json } = await predict({
      inputs: ['Anna chased the dog yesterday', 'Ben left'],
      parameters: { predicate_index: 3 },
    });
    const { error } = json as ErrorBody;

    expect(status).toBe(400);
    expect(error.message).toContain('inputs[1] has 2 word(s)');
  });

  it('rejects an input without words', async () => {
    for (const inputs of ['', '   ', '\u200b']) {
      const { status, json } = await predict({ inputs, parameters: { predicate_index: 0 } });
      const { error } = json as ErrorBody;

      expect(status).toBe(422);
      expect(error.code).toBe('MAAS_ERR_INPUT_EMPTY');
      expect(error.param).toBe('inputs');
    }
  });
});
