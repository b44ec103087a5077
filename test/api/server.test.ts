import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import {
  NEGATIVE_TEXT,
  POSITIVE_TEXT,
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
  writeBundledSentimentModel,
} from '../helpers/sentiment-fixture.js';

const MODEL = 'sentiment';
const BODY_LIMIT = 4096;
const MAX_INPUTS = 8;
const MAX_INPUT_CHARS = 200;

interface LabelScore {
  label: string;
  score: number;
}

interface ErrorBody {
  error: { code: string; message: string; param?: string; details?: unknown };
}

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  root = await makeTempDir('api');
  // The model is served as a bundled model, so that warmUp() has a real model to load.
  const modelsDir = await mkdtemp(join(root, 'bundled-'));
  await writeBundledSentimentModel(root, modelsDir, MODEL);
  context = await openTestContext(root, {
    models_dir: modelsDir,
    'server.body_limit': BODY_LIMIT,
    'limits.max_inputs': MAX_INPUTS,
    'limits.max_input_chars': MAX_INPUT_CHARS,
  });
  await context.registry.setAlias(MODEL, 'staging', 1);
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function predict(body: unknown, reference = MODEL): Promise<Response> {
  return postJson(`/v1/models/${reference}/predict`, body);
}

async function predictOk(body: unknown, reference = MODEL): Promise<unknown> {
  const response = await predict(body, reference);
  expect(response.status).toBe(200);
  return response.json();
}

/** Checks the status and that the body is exactly `{error: {code, message, param?, details?}}`. */
async function expectError(
  response: Response,
  status: number,
  code: string,
): Promise<ErrorBody['error']> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  const extraKeys = Object.keys(body.error).filter(
    (key) => !['code', 'message', 'param', 'details'].includes(key),
  );
  expect(extraKeys).toEqual([]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

function expectSortedByScore(result: LabelScore[]): void {
  for (let i = 1; i < result.length; i += 1) {
    expect(result[i - 1]?.score).toBeGreaterThanOrEqual(result[i]?.score as number);
  }
}

describe('health', () => {
  it('healthz returns ok', async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('readyz is 503 before warmUp', async () => {
    expect(server.readiness.ready).toBe(false);
    const response = await fetch(`${baseUrl}/readyz`);
    const error = await expectError(response, 503, 'MAAS_ERR_NOT_READY');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(error.message).toBe('bundled models are loading');
  });

  it('readyz is 200 after warmUp', async () => {
    expect(context.bundled).toEqual([`${MODEL}@1`]);
    await server.warmUp();
    const response = await fetch(`${baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', models: [`${MODEL}@1`] });
  });
});

describe('models', () => {
  it('list has the OpenAI shape', async () => {
    const response = await fetch(`${baseUrl}/v1/models`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: Record<string, unknown>[] };
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(1);
    const entry = body.data[0] as Record<string, unknown>;
    expect(entry['id']).toBe(MODEL);
    expect(entry['object']).toBe('model');
    expect(entry['owned_by']).toBe('nlp-maas');
    expect(Number.isInteger(entry['created'])).toBe(true);
    expect(entry['task']).toBe('text-classification');
    expect(entry['latest_version']).toBe(1);
    expect(entry['aliases']).toEqual({ production: 1, staging: 1 });
  });

  it('detail lists versions and card', async () => {
    const response = await fetch(`${baseUrl}/v1/models/${MODEL}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body['id']).toBe(MODEL);
    expect(body['name']).toBe(MODEL);
    expect(body['task']).toBe('text-classification');
    expect(body['aliases']).toEqual({ production: 1, staging: 1 });
    const versions = body['versions'] as Record<string, unknown>[];
    expect(versions).toHaveLength(1);
    const version = versions[0] as Record<string, unknown>;
    expect(version['version']).toBe(1);
    expect(version['runtime']).toBe('onnx');
    expect(version['aliases']).toEqual(['production', 'staging']);
    expect(version['digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(version['size_bytes']).toBeGreaterThan(0);
    const card = version['model_card'] as Record<string, unknown>;
    expect(card['labels']).toEqual(['negative', 'positive']);
  });

  it('detail of unknown model is 404', async () => {
    const response = await fetch(`${baseUrl}/v1/models/no-such-model`);
    await expectError(response, 404, 'MAAS_ERR_MODEL_NOT_FOUND');
  });

  it('detail rejects a reference', async () => {
    const response = await fetch(`${baseUrl}/v1/models/${MODEL}@1`);
    const error = await expectError(response, 400, 'MAAS_ERR_MODEL_NAME_INVALID');
    expect(error.param).toBe('name');
  });
});

describe('predict', () => {
  it('string input returns one list', async () => {
    const result = (await predictOk({ inputs: POSITIVE_TEXT })) as LabelScore[];
    expect(result).toHaveLength(1);
    expect(result[0]?.label).toBe('positive');
    expect(result[0]?.score).toBeGreaterThan(0.5);
    expect(result[0]?.score).toBeLessThanOrEqual(1);
  });

  it('negative text is negative', async () => {
    const result = (await predictOk({ inputs: NEGATIVE_TEXT })) as LabelScore[];
    expect(result[0]?.label).toBe('negative');
  });

  it('top_k null returns all labels', async () => {
    const result = (await predictOk({
      inputs: POSITIVE_TEXT,
      parameters: { top_k: null },
    })) as LabelScore[];
    expect(result.map((entry) => entry.label).sort()).toEqual(['negative', 'positive']);
    expectSortedByScore(result);
    const total = result.reduce((sum, entry) => sum + entry.score, 0);
    expect(total).toBeCloseTo(1, 5);
  });

  it('takes function_to_apply softmax', async () => {
    const plain = await predictOk({ inputs: POSITIVE_TEXT, parameters: { top_k: null } });
    const softmax = await predictOk({
      inputs: POSITIVE_TEXT,
      parameters: { top_k: null, function_to_apply: 'softmax' },
    });
    expect(softmax).toEqual(plain);
  });

  it.each([
    [{ function_to_apply: 'sigmoid' }, 'parameters.function_to_apply', 'softmax probabilities'],
    [{ truncation: true }, 'parameters.truncation', 'takes top_k, function_to_apply'],
  ])('rejects parameters %j naming the field', async (parameters, param, hint) => {
    const response = await predict({ inputs: POSITIVE_TEXT, parameters });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { param: string; message: string } };
    expect(error.param).toBe(param);
    expect(error.message).toContain(hint);
  });

  it('top_k 2 returns two sorted labels', async () => {
    const result = (await predictOk({
      inputs: NEGATIVE_TEXT,
      parameters: { top_k: 2 },
    })) as LabelScore[];
    expect(result).toHaveLength(2);
    expect(result[0]?.label).toBe('negative');
    expectSortedByScore(result);
  });

  it('top_k above label count is capped', async () => {
    const result = (await predictOk({
      inputs: POSITIVE_TEXT,
      parameters: { top_k: 5 },
    })) as LabelScore[];
    expect(result).toHaveLength(2);
  });

  it('array input keeps order', async () => {
    const result = (await predictOk({
      inputs: [POSITIVE_TEXT, NEGATIVE_TEXT, POSITIVE_TEXT],
    })) as LabelScore[][];
    expect(result).toHaveLength(3);
    expect(result.map((entry) => entry[0]?.label)).toEqual(['positive', 'negative', 'positive']);
    expect(result.every((entry) => entry.length === 1)).toBe(true);
  });

  it('array result matches single results', async () => {
    const single = await predictOk({ inputs: NEGATIVE_TEXT, parameters: { top_k: null } });
    const batch = (await predictOk({
      inputs: [POSITIVE_TEXT, NEGATIVE_TEXT],
      parameters: { top_k: null },
    })) as LabelScore[][];
    const batchScores = batch[1] as LabelScore[];
    const singleScores = single as LabelScore[];
    expect(batchScores.map((entry) => entry.label)).toEqual(singleScores.map((e) => e.label));
    batchScores.forEach((entry, index) => {
      expect(entry.score).toBeCloseTo(singleScores[index]?.score as number, 5);
    });
  });

  it('Chinese, emoji and mixed text', async () => {
    const cases: [string, string][] = [
      ['非常满意，强烈推荐 😊', 'positive'],
      ['太糟糕了，很失望 😡', 'negative'],
      ['the room was great，房间很干净 👍', 'positive'],
      ['the staff was terrible，前台很差 👎', 'negative'],
    ];
    const result = (await predictOk({ inputs: cases.map(([text]) => text) })) as LabelScore[][];
    expect(result.map((entry) => entry[0]?.label)).toEqual(cases.map(([, label]) => label));
  });

  it('emoji-only input is classified', async () => {
    const result = (await predictOk({ inputs: '👍👍' })) as LabelScore[];
    expect(result).toHaveLength(1);
    expect(['negative', 'positive']).toContain(result[0]?.label);
  });
});

describe('model references', () => {
  it('name@1, aliases and bare name agree', async () => {
    const body = { inputs: POSITIVE_TEXT, parameters: { top_k: null } };
    const bare = await predictOk(body, MODEL);
    for (const reference of [`${MODEL}@1`, `${MODEL}@production`, `${MODEL}@staging`]) {
      expect(await predictOk(body, reference)).toEqual(bare);
    }
  });

  it('unknown model is 404', async () => {
    const error = await expectError(
      await predict({ inputs: 'x' }, 'no-such-model'),
      404,
      'MAAS_ERR_MODEL_NOT_FOUND',
    );
    expect(error.message).toContain('no-such-model');
  });

  it('unknown version is 404', async () => {
    const error = await expectError(
      await predict({ inputs: 'x' }, `${MODEL}@9`),
      404,
      'MAAS_ERR_VERSION_NOT_FOUND',
    );
    expect(error.message).toContain('9');
  });

  it('unknown alias is 404', async () => {
    await expectError(
      await predict({ inputs: 'x' }, `${MODEL}@canary`),
      404,
      'MAAS_ERR_ALIAS_NOT_FOUND',
    );
  });

  it('a@b@c is an invalid reference', async () => {
    const error = await expectError(
      await predict({ inputs: 'x' }, 'a@b@c'),
      400,
      'MAAS_ERR_MODEL_REFERENCE_INVALID',
    );
    expect(error.message).toContain('a@b@c');
  });
});

describe('request validation', () => {
  it('bad JSON is 400', async () => {
    await expectError(await predict('{"inputs": '), 400, 'MAAS_ERR_REQUEST_JSON_INVALID');
  });

  it('empty JSON body is 400', async () => {
    await expectError(await predict(''), 400, 'MAAS_ERR_REQUEST_JSON_INVALID');
  });

  const invalidBodies: [string, unknown, string][] = [
    ['inputs: 5', { inputs: 5 }, 'inputs'],
    ['inputs: [1]', { inputs: [1] }, 'inputs[0]'],
    ['inputs: ["ok", null]', { inputs: ['ok', null] }, 'inputs[1]'],
    ['inputs: []', { inputs: [] }, 'inputs'],
    ['missing inputs', { parameters: {} }, 'inputs'],
    ['top_k: "2"', { inputs: 'x', parameters: { top_k: '2' } }, 'parameters.top_k'],
    ['top_k: 0', { inputs: 'x', parameters: { top_k: 0 } }, 'parameters.top_k'],
    ['top_k: 1.5', { inputs: 'x', parameters: { top_k: 1.5 } }, 'parameters.top_k'],
    ['unknown field', { inputs: 'x', extra: true }, 'extra'],
    ['unknown parameter', { inputs: 'x', parameters: { temp: 1 } }, 'parameters.temp'],
    ['array body', [POSITIVE_TEXT], 'body'],
  ];
  for (const [name, body, param] of invalidBodies) {
    it(`${name} is 400`, async () => {
      const error = await expectError(await predict(body), 400, 'MAAS_ERR_REQUEST_INVALID');
      expect(error.param).toBe(param);
      expect(error.message).toContain(param);
    });
  }

  it('body over body_limit is 413', async () => {
    const body = { inputs: 'a'.repeat(BODY_LIMIT + 1) };
    const error = await expectError(await predict(body), 413, 'MAAS_ERR_REQUEST_TOO_LARGE');
    expect(error.message).toContain(`${BODY_LIMIT} bytes (server.body_limit)`);
  });

  it('too many inputs is 413', async () => {
    const inputs = Array.from({ length: MAX_INPUTS + 1 }, () => POSITIVE_TEXT);
    const error = await expectError(await predict({ inputs }), 413, 'MAAS_ERR_INPUT_TOO_MANY');
    expect(error.param).toBe('inputs');
    expect(error.message).toContain(String(MAX_INPUTS));
  });

  it('max_inputs inputs are accepted', async () => {
    const inputs = Array.from({ length: MAX_INPUTS }, () => POSITIVE_TEXT);
    expect(await predictOk({ inputs })).toHaveLength(MAX_INPUTS);
  });

  it('too long input is 413', async () => {
    const inputs = [POSITIVE_TEXT, '好'.repeat(MAX_INPUT_CHARS + 1)];
    const error = await expectError(await predict({ inputs }), 413, 'MAAS_ERR_INPUT_TOO_LONG');
    expect(error.param).toBe('inputs[1]');
    expect(error.message).toContain(String(MAX_INPUT_CHARS));
  });

  const emptyInputs: [string, unknown, string][] = [
    ['empty string', '', 'inputs'],
    ['whitespace only', ' \t\n\u3000 ', 'inputs'],
    ['zero-width only', '\u200b\u200c\ufeff', 'inputs'],
    ['empty array element', [POSITIVE_TEXT, '  '], 'inputs[1]'],
  ];
  for (const [name, inputs, param] of emptyInputs) {
    it(`${name} is 422`, async () => {
      const error = await expectError(await predict({ inputs }), 422, 'MAAS_ERR_INPUT_EMPTY');
      expect(error.param).toBe(param);
    });
  }

  it('text/plain body is 415', async () => {
    const response = await fetch(`${baseUrl}/v1/models/${MODEL}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: POSITIVE_TEXT,
    });
    await expectError(response, 415, 'MAAS_ERR_REQUEST_MEDIA_TYPE_UNSUPPORTED');
  });

  it('form body is 415', async () => {
    const response = await fetch(`${baseUrl}/v1/models/${MODEL}/predict`, {
      method: 'POST',
      body: new URLSearchParams({ inputs: POSITIVE_TEXT }),
    });
    await expectError(response, 415, 'MAAS_ERR_REQUEST_MEDIA_TYPE_UNSUPPORTED');
  });

  it('JSON with charset is accepted', async () => {
    const response = await fetch(`${baseUrl}/v1/models/${MODEL}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ inputs: POSITIVE_TEXT }),
    });
    expect(response.status).toBe(200);
  });
});

describe('routing and headers', () => {
  it('unknown path is 404', async () => {
    const error = await expectError(
      await fetch(`${baseUrl}/v1/nothing?q=1`),
      404,
      'MAAS_ERR_ROUTE_NOT_FOUND',
    );
    expect(error.message).toContain('GET /v1/nothing');
  });

  it('wrong method is 404', async () => {
    await expectError(
      await fetch(`${baseUrl}/v1/models/${MODEL}/predict`),
      404,
      'MAAS_ERR_ROUTE_NOT_FOUND',
    );
  });

  it('x-request-id on success', async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('x-request-id on error', async () => {
    const response = await predict({ inputs: 5 });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('x-request-id from client is echoed', async () => {
    const response = await fetch(`${baseUrl}/healthz`, {
      headers: { 'x-request-id': 'client-id-123' },
    });
    expect(response.headers.get('x-request-id')).toBe('client-id-123');
  });

  it('request ids are unique', async () => {
    const responses = await Promise.all([1, 2, 3].map(() => fetch(`${baseUrl}/healthz`)));
    const ids = new Set(responses.map((response) => response.headers.get('x-request-id')));
    expect(ids.size).toBe(3);
  });
});

describe('concurrency', () => {
  it('20 concurrent predicts match', async () => {
    const texts = [POSITIVE_TEXT, NEGATIVE_TEXT, '非常满意 😊', 'terrible 👎'];
    const expected: unknown[] = [];
    for (const text of texts) {
      expected.push(await predictOk({ inputs: text, parameters: { top_k: null } }));
    }
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        predict({ inputs: texts[index % texts.length], parameters: { top_k: null } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    bodies.forEach((body, index) => {
      expect(body).toEqual(expected[index % texts.length]);
    });
  });
});

describe('metrics', () => {
  it('counts requests by route, status and model in the Prometheus format', async () => {
    await postJson(`/v1/models/${MODEL}/predict`, { inputs: [POSITIVE_TEXT, NEGATIVE_TEXT] });
    await postJson('/v1/models/no-such-model/predict', { inputs: 'x' });
    const response = await fetch(`${baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(
      /maas_requests_total\{route="\/v1\/models\/:ref\/predict",method="POST",status="200",model="sentiment@1"\} [1-9]/,
    );
    expect(text).toMatch(
      /maas_requests_total\{route="\/v1\/models\/:ref\/predict",method="POST",status="404",model=""\} [1-9]/,
    );
    // An unknown model name never becomes a label value.
    expect(text).not.toContain('no-such-model');
    expect(text).toMatch(
      /maas_request_duration_seconds_bucket\{le="0.005",route="\/v1\/models\/:ref\/predict",model="sentiment@1"\}/,
    );
    expect(text).toMatch(/^maas_models_loaded [1-9]/m);
    expect(text).toContain('process_cpu_seconds_total');
  });
});
