import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { meterTokens } from '../../src/api/metering.js';
import { buildServer, type Server } from '../../src/api/server.js';
import { openContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';
import {
  NEGATIVE_TEXT,
  POSITIVE_TEXT,
  makeTempDir,
  removeTempDir,
  silentLogger,
  writeBundledSentimentModel,
} from '../helpers/sentiment-fixture.js';

const MODEL = 'sentiment';
const STREAM_CHUNKS = 5;
const TOKENS_PER_CHUNK = 3;

let root: string;
let dataDir: string;
let modelsDir: string;

beforeAll(async () => {
  root = await makeTempDir('usage');
  dataDir = await mkdtemp(join(root, 'data-'));
  modelsDir = await mkdtemp(join(root, 'bundled-'));
  await writeBundledSentimentModel(root, modelsDir, MODEL);
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

async function start(
  extraFlags: Record<string, unknown> = {},
): Promise<{ context: AppContext; server: Server }> {
  const { settings } = loadConfig({
    env: {},
    flags: {
      data_dir: dataDir,
      models_dir: modelsDir,
      'log.level': 'silent',
      'auth.required': true,
      // Long enough that only the query and shutdown write the counters.
      'usage.flush_interval_ms': 3_600_000,
      ...extraFlags,
    },
  });
  const context = await openContext(settings, silentLogger());
  const server = buildServer(context, silentLogger());
  // Stands in for a streamed generation: it meters output tokens chunk by chunk.
  server.app.get('/v1/test/stream', { config: { scope: 'infer' } }, async (request, reply) => {
    request.modelReference = `${MODEL}@1`;
    let sent = 0;
    const stream = new Readable({
      async read() {
        if (sent === STREAM_CHUNKS) return this.push(null);
        sent += 1;
        await meterTokens(request, { output: TOKENS_PER_CHUNK });
        this.push(`data: chunk ${sent}\n\n`);
      },
    });
    return reply.type('text/event-stream').send(stream);
  });
  await server.app.ready();
  return { context, server };
}

describe('usage metering', () => {
  it('totals requests and tokens across a restart', async () => {
    let { context, server } = await start();
    const { key, secret } = await context.tenancy.keys.create({
      name: 'metered',
      scopes: ['infer'],
    });
    const headers = { authorization: `Bearer ${secret}` };
    const model = await context.pool.getInHouse(MODEL);
    const tokens = (text: string): number => model.pipeline.tokenizer.encode(text).length;

    const bodies = [
      { inputs: POSITIVE_TEXT },
      { inputs: [POSITIVE_TEXT, NEGATIVE_TEXT] },
      { inputs: NEGATIVE_TEXT },
    ];
    let expectedInput = 0;
    for (const body of bodies) {
      const response = await server.app.inject({
        method: 'POST',
        url: `/v1/models/${MODEL}/predict`,
        headers,
        payload: body,
      });
      expect(response.statusCode).toBe(200);
      const texts = Array.isArray(body.inputs) ? body.inputs : [body.inputs];
      expectedInput += texts.reduce((sum, text) => sum + tokens(text), 0);
    }
    expect(expectedInput).toBeGreaterThan(0);
    const failed = await server.app.inject({
      method: 'POST',
      url: `/v1/models/${MODEL}/predict`,
      headers,
      payload: { inputs: ' ' },
    });
    expect(failed.statusCode).toBe(422);
    const streamed = await server.app.inject({ url: '/v1/test/stream', headers });
    expect(streamed.body.match(/data: /g)).toHaveLength(STREAM_CHUNKS);

    const expected = {
      key: key.id,
      model: MODEL,
      requests: bodies.length + 2,
      input_tokens: expectedInput,
      output_tokens: STREAM_CHUNKS * TOKENS_PER_CHUNK,
      errors: 1,
    };
    const before = await server.app.inject({ url: `/v1/usage?model=${MODEL}`, headers });
    expect(before.json().data).toHaveLength(1);
    expect(before.json().data[0]).toMatchObject(expected);
    expect(before.json().data[0].compute_ms).toBeGreaterThanOrEqual(0);

    // Counters recorded after the last write must reach the database at shutdown.
    await server.app.inject({
      method: 'POST',
      url: `/v1/models/${MODEL}/predict`,
      headers,
      payload: { inputs: POSITIVE_TEXT },
    });
    await server.app.close();
    await context.close();

    ({ context, server } = await start());
    try {
      const after = await server.app.inject({ url: `/v1/usage?model=${MODEL}`, headers });
      expect(after.json().data[0]).toMatchObject({
        ...expected,
        requests: expected.requests + 1,
        input_tokens: expectedInput + tokens(POSITIVE_TEXT),
      });
      const today = new Date().toISOString().slice(0, 10);
      const empty = await server.app.inject({ url: `/v1/usage?to=2000-01-01`, headers });
      expect(empty.json().data).toEqual([]);
      const dated = await server.app.inject({
        url: `/v1/usage?from=${today}&to=${today}`,
        headers,
      });
      expect(dated.json().data.length).toBeGreaterThan(0);
      const invalid = await server.app.inject({ url: '/v1/usage?from=yesterday', headers });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error.param).toBe('from');
    } finally {
      await server.app.close();
      await context.close();
    }
  });

  it('lists only the models a key may use', async () => {
    const { context, server } = await start();
    try {
      const list = async (models: string[] | null): Promise<string[]> => {
        const { secret } = await context.tenancy.keys.create({
          name: 'lister',
          scopes: ['infer'],
          models,
        });
        const response = await server.app.inject({
          url: '/v1/models',
          headers: { authorization: `Bearer ${secret}` },
        });
        return response.json().data.map((model: { id: string }) => model.id);
      };
      expect(await list(null)).toEqual([MODEL]);
      expect(await list([MODEL])).toEqual([MODEL]);
      expect(await list(['other'])).toEqual([]);
    } finally {
      await server.app.close();
      await context.close();
    }
  });

  it('frees the slot of a request past its deadline', async () => {
    // The scheduler waits 200 ms for a fuller batch, so every request misses a 1 ms deadline.
    const { context, server } = await start({
      'serving.request_deadline_ms': 1,
      'serving.max_queue_delay_ms': 200,
    });
    try {
      const { secret } = await context.tenancy.keys.create({
        name: 'one-at-a-time',
        scopes: ['infer'],
        limits: { maxConcurrent: 1 },
      });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const response = await server.app.inject({
          method: 'POST',
          url: `/v1/models/${MODEL}/predict`,
          headers: { authorization: `Bearer ${secret}` },
          payload: { inputs: POSITIVE_TEXT },
        });
        expect([attempt, response.statusCode]).toEqual([attempt, 504]);
        expect(response.json().error.code).toBe('MAAS_ERR_DEADLINE_EXCEEDED');
      }
    } finally {
      await server.app.close();
      await context.close();
    }
  });
});
