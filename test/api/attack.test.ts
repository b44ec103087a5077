import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import {
  POSITIVE_TEXT,
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
  writeBundledSentimentModel,
} from '../helpers/sentiment-fixture.js';

const MODEL = 'sentiment';
/** Runs per property and the time cap of each, so the file stays within seconds. */
const FUZZ_RUNS = 150;
const FUZZ_TIME_LIMIT_MS = 15_000;
/** Overload: requests in total, clients at once, and the limits that shed the excess. */
const OVERLOAD_REQUESTS = 400;
const OVERLOAD_CLIENTS = 40;
const KEY_MAX_CONCURRENT = 4;
const QUEUE_LENGTH = 16;
/** Heap growth allowed after the load, in bytes, once garbage is collected. */
const HEAP_SLACK_BYTES = 30 * 2 ** 20;

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;
let secret: string;
let limitedSecret: string;

beforeAll(async () => {
  root = await makeTempDir('attack');
  const modelsDir = await mkdtemp(join(root, 'bundled-'));
  await writeBundledSentimentModel(root, modelsDir, MODEL);
  context = await openTestContext(root, {
    models_dir: modelsDir,
    'auth.required': true,
    'serving.max_queue_length': QUEUE_LENGTH,
  });
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  await server.warmUp();
  secret = (await context.tenancy.keys.create({ name: 'fuzz', scopes: ['infer', 'admin'] })).secret;
  limitedSecret = (
    await context.tenancy.keys.create({
      name: 'limited',
      scopes: ['infer'],
      limits: { maxConcurrent: KEY_MAX_CONCURRENT },
    })
  ).secret;
});

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

/** One UTF-16 code unit or code point, lone surrogates and NUL included. */
const hostileCharacter = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('\u0000', '\u200b', '\ufeff', '\r', '\n', '"', '\\'),
);
const hostileString = fc.string({ unit: hostileCharacter, maxLength: 64 });

const predictBody = fc.oneof(
  fc.record(
    {
      inputs: fc.oneof(hostileString, fc.array(hostileString, { maxLength: 6 }), fc.jsonValue()),
      parameters: fc.oneof(
        fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
        fc.record({ top_k: fc.oneof(fc.integer(), fc.constant(null), fc.double()) }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      options: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 4 }),
);

/** Checks that a response is not a server fault and, if an error, has the error shape. */
async function expectHandled(response: Response, what: string): Promise<void> {
  const text = await response.text();
  expect([what, response.status < 500 || response.status === 503]).toEqual([what, true]);
  if (response.status >= 400 && text !== '') {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect([what, typeof body.error?.code]).toEqual([what, 'string']);
    expect([what, typeof body.error?.message]).toEqual([what, 'string']);
  }
}

function postRaw(body: string | Uint8Array): Promise<Response> {
  return fetch(`${baseUrl}/v1/models/${MODEL}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body,
  });
}

async function expectClientError(
  response: Response,
  status: number,
  code: string,
): Promise<{ message: string; param?: string }> {
  const body = (await response.json()) as {
    error: { code: string; message: string; param?: string };
  };
  expect([response.status, body.error.code]).toEqual([status, code]);
  return body.error;
}

describe('hostile input', () => {
  it('rejects a body that is not UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"inputs":"'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const error = await expectClientError(
      await postRaw(bytes),
      400,
      'MAAS_ERR_REQUEST_JSON_INVALID',
    );
    expect(error.message).toContain('UTF-8');
  });

  it('rejects NUL characters and lone surrogates', async () => {
    const nul = await expectClientError(
      await postRaw(JSON.stringify({ inputs: ['ok', 'a\u0000b'] })),
      400,
      'MAAS_ERR_REQUEST_INVALID',
    );
    expect(nul.param).toBe('inputs[1]');
    const surrogate = await expectClientError(
      await postRaw('{"inputs": "half \\ud800 a pair"}'),
      400,
      'MAAS_ERR_REQUEST_INVALID',
    );
    expect(surrogate.message).toContain('surrogate');
    const pair = await postRaw(JSON.stringify({ inputs: `${POSITIVE_TEXT} 😊` }));
    expect(pair.status).toBe(200);
  });

  it('rejects a 1 MB single-line input', async () => {
    const line = 'a'.repeat(2 ** 20);
    await expectClientError(
      await postRaw(JSON.stringify({ inputs: line })),
      413,
      'MAAS_ERR_REQUEST_TOO_LARGE',
    );
    const long = 'a'.repeat(100_000);
    await expectClientError(
      await postRaw(JSON.stringify({ inputs: long })),
      413,
      'MAAS_ERR_INPUT_TOO_LONG',
    );
  });

  it('rejects deeply nested JSON', async () => {
    const depth = 200_000;
    const nested = `{"inputs":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const response = await postRaw(nested);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const objects = `{"inputs":"x","parameters":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    const second = await postRaw(objects);
    expect(second.status).toBeGreaterThanOrEqual(400);
    expect(second.status).toBeLessThan(500);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
  });

  it('rejects a prototype-poisoning body', async () => {
    const response = await postRaw('{"inputs":"x","__proto__":{"polluted":true}}');
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('"__proto__"');
    expect(error.message).not.toContain('not valid JSON');
  });
});

function fuzzOptions(): fc.Parameters<unknown> {
  return { numRuns: FUZZ_RUNS, plugins: [fc.interruptAfterTimeLimit(FUZZ_TIME_LIMIT_MS)] };
}

describe('fuzzing', () => {
  it('predict never answers 5xx to any JSON', async () => {
    await fc.assert(
      fc.asyncProperty(predictBody, async (body) => {
        const response = await fetch(`${baseUrl}/v1/models/${MODEL}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: JSON.stringify(body),
        });
        await expectHandled(response, JSON.stringify(body));
      }),
      fuzzOptions(),
    );
  });

  it('never answers 5xx to raw bytes', async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      '',
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), contentType, async (bytes, type) => {
        const response = await fetch(`${baseUrl}/v1/models/${MODEL}/predict`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${secret}`,
            ...(type === '' ? {} : { 'content-type': type }),
          },
          body: bytes,
        });
        await expectHandled(response, `${type} ${Buffer.from(bytes).toString('hex')}`);
      }),
      fuzzOptions(),
    );
  });

  it('never answers 5xx to any path, method or key', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'v1',
        'models',
        MODEL,
        'predict',
        'keys',
        'usage',
        'audit',
        'load',
        '..',
        '%2e%2e',
        '%00',
        '%ff',
      ),
      // Percent-encodes the UTF-8 bytes; a lone surrogate becomes U+FFFD on the way.
      hostileString.map((text) =>
        [...Buffer.from(text, 'utf8')]
          .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
          .join(''),
      ),
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
    const authorization = fc.oneof(
      fc.constant(`Bearer ${secret}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((text) => `Bearer maas_${text}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        method,
        authorization,
        fc.jsonValue({ maxDepth: 2 }),
        async (segments, verb, auth, body) => {
          const hasBody = verb !== 'GET' && verb !== 'OPTIONS';
          const response = await fetch(`${baseUrl}/${segments.join('/')}`, {
            method: verb,
            headers: {
              authorization: auth,
              ...(hasBody ? { 'content-type': 'application/json' } : {}),
            },
            ...(hasBody ? { body: JSON.stringify(body) } : {}),
          });
          await expectHandled(response, `${verb} /${segments.join('/')} ${auth}`);
        },
      ),
      fuzzOptions(),
    );
  });
});

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('overload', () => {
  it('sheds the excess with 429 and 503 only', async () => {
    const gc = collectGarbage();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;

    const statuses = new Map<number, number>();
    let next = 0;
    const client = async (index: number): Promise<void> => {
      while (next < OVERLOAD_REQUESTS) {
        next += 1;
        // Half the clients share the limited key; the others send batches that fill the queue.
        const limited = index % 2 === 0;
        const response = await fetch(`${baseUrl}/v1/models/${MODEL}/predict`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${limited ? limitedSecret : secret}`,
          },
          body: JSON.stringify({ inputs: limited ? POSITIVE_TEXT : Array(8).fill(POSITIVE_TEXT) }),
          signal: AbortSignal.timeout(20_000),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: OVERLOAD_CLIENTS }, (_, index) => client(index)));

    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    const summary = JSON.stringify(Object.fromEntries(statuses));
    for (const status of statuses.keys()) {
      expect([summary, [200, 429, 503].includes(status)]).toEqual([summary, true]);
    }
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(OVERLOAD_REQUESTS);

    // The server still responds, and its usage buffer drains into the database.
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    await context.tenancy.usage.flush();
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_SLACK_BYTES);
  });
});
