import { mkdtemp } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, pinnedReferences, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import type { SettingName } from '../../src/config/index.js';
import { ModelPool } from '../../src/serving/model-pool.js';
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

interface Running {
  context: AppContext;
  server: Server;
  url: string;
}

let root: string;
let modelsDir: string;
const running: Running[] = [];

beforeAll(async () => {
  root = await makeTempDir('api-scheduling');
  modelsDir = await mkdtemp(join(root, 'bundled-'));
  await writeBundledSentimentModel(root, modelsDir, MODEL);
});

afterAll(async () => {
  for (const { server, context } of running) {
    await server.app.close();
    await context.close();
  }
  if (root !== undefined) await removeTempDir(root);
});

/** Starts a server on the fixture model with `flags` on top of the defaults. */
async function start(flags: Partial<Record<SettingName, unknown>>): Promise<Running> {
  const context = await openTestContext(root, { models_dir: modelsDir, ...flags });
  const server = buildServer(context, silentLogger());
  const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
  await server.warmUp();
  const started = { context, server, url: `${base}/v1/models/${MODEL}/predict` };
  running.push(started);
  return started;
}

function predict(url: string, inputs: unknown, topK: number | null = null): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs, parameters: { top_k: topK } }),
  });
}

const TEXTS = [
  '好',
  POSITIVE_TEXT,
  `${NEGATIVE_TEXT}，${'早餐也很难吃，前台很冷漠，'.repeat(12)}`,
  '😋👍🏽',
  NEGATIVE_TEXT,
  'ok',
];

describe('dynamic batching', () => {
  it('gives concurrent requests the scores they get alone', async () => {
    // No padding bound, so that inputs of very different lengths share batches.
    const { url, context } = await start({
      'serving.max_queue_delay_ms': 20,
      'serving.max_padding_percent': 100_000,
    });
    const alone: unknown[] = [];
    for (const text of TEXTS) alone.push(await (await predict(url, text)).json());
    const before = (await context.pool.getInHouse(MODEL)).scheduler.stats().completedBatches;

    const together = await Promise.all(
      TEXTS.map(async (text) => (await predict(url, text)).json()),
    );
    const batches =
      (await context.pool.getInHouse(MODEL)).scheduler.stats().completedBatches - before;
    expect(batches).toBeLessThan(TEXTS.length);
    together.forEach((result, index) => {
      const expected = alone[index] as { label: string; score: number }[];
      const actual = result as { label: string; score: number }[];
      expect(actual.map((entry) => entry.label)).toEqual(expected.map((entry) => entry.label));
      actual.forEach((entry, rank) => {
        expect(entry.score).toBeCloseTo(expected[rank]?.score as number, 5);
      });
    });
  });

  it('counts batch sizes in the metrics', async () => {
    const { url, server } = await start({ 'serving.max_queue_delay_ms': 20 });
    await Promise.all(TEXTS.map((text) => predict(url, text)));
    const metrics = await (await server.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/maas_batch_size_count\{model="sentiment@1"\} [1-9]/);
    expect(metrics).toMatch(/maas_queue_depth\{model="sentiment@1"\} 0/);
  });
});

describe('overload and deadlines', () => {
  it('answers 503 with Retry-After when the queue is full', async () => {
    const { url } = await start({
      'serving.max_queue_length': 2,
      'serving.max_queue_delay_ms': 500,
    });
    const first = predict(url, POSITIVE_TEXT);
    const second = predict(url, NEGATIVE_TEXT);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await predict(url, POSITIVE_TEXT);
    expect(third.status).toBe(503);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await third.json()) as { error: { code: string } };
    expect(body.error.code).toBe('MAAS_ERR_MODEL_OVERLOADED');
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('answers 504 when the deadline passes in the queue', async () => {
    const { url, context } = await start({
      'serving.request_deadline_ms': 50,
      'serving.max_queue_delay_ms': 1000,
    });
    const response = await predict(url, POSITIVE_TEXT);
    expect(response.status).toBe(504);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('MAAS_ERR_DEADLINE_EXCEEDED');
    expect((await context.pool.getInHouse(MODEL)).scheduler.stats().completedBatches).toBe(0);
  });
});

describe('client disconnect', () => {
  it('drops the queued inputs of a client that went away', async () => {
    const { url, context } = await start({ 'serving.max_queue_delay_ms': 300 });
    const model = await context.pool.getInHouse(MODEL);
    const body = JSON.stringify({ inputs: [POSITIVE_TEXT, NEGATIVE_TEXT] });
    await new Promise<void>((resolve) => {
      const request = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      request.on('error', () => resolve());
      request.end(body);
      const poll = setInterval(() => {
        if (model.scheduler.stats().queueDepth === 2) {
          clearInterval(poll);
          request.destroy();
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(model.scheduler.stats().queueDepth).toBe(0);
    // Past the queue delay: nothing ran.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(model.scheduler.stats().completedBatches).toBe(0);
    // The server still serves.
    expect((await predict(url, POSITIVE_TEXT)).status).toBe(200);
    // The aborted request is counted once, as 499.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const metrics = await (await fetch(url.replace(/\/v1\/.*$/, '/metrics'))).text();
    expect(metrics).toMatch(
      /maas_requests_total\{route="\/v1\/models\/:ref\/predict",method="POST",status="499",model="sentiment@1"\} 1\n/,
    );
  });
});

describe('load and unload', () => {
  it('unloads a model and loads it again on the next request', async () => {
    const { url, context } = await start({});
    const first = await context.pool.getInHouse(MODEL);
    expect(await context.pool.unload('sentiment@1')).toBe(true);
    expect(await context.pool.loadedVersions()).toEqual([]);
    expect((await predict(url, POSITIVE_TEXT)).status).toBe(200);
    const second = await context.pool.getInHouse(MODEL);
    expect(second).not.toBe(first);
  });

  it('survives unloads racing requests', async () => {
    const { url, context } = await start({ 'serving.max_queue_delay_ms': 5 });
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        if (i % 5 === 0) await context.pool.unload('sentiment@1');
        statuses.push((await predict(url, TEXTS[i % TEXTS.length])).status);
      }),
    );
    // Requests queued on an unloaded model get 503; none may fail otherwise.
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect((await predict(url, POSITIVE_TEXT)).status).toBe(200);
  });

  it('unloads the least recently used model beyond the memory budget', async () => {
    const { context } = await start({});
    await context.registry.importVersionFromFolder(join(modelsDir, MODEL), { name: 'copy' });
    await context.registry.importVersionFromFolder(join(modelsDir, MODEL), { name: 'third' });
    const size = (await context.pool.getInHouse(MODEL)).sizeBytes;
    const pool = new ModelPool(context.registry, undefined, { memoryBudgetBytes: 2 * size });
    try {
      await pool.get(MODEL);
      await pool.get('copy');
      await pool.get(MODEL);
      await pool.get('third');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await pool.loadedVersions()).sort()).toEqual(['sentiment@1', 'third@1']);
    } finally {
      await pool.close();
    }
  });
});

describe('reference cache', () => {
  it('reuses a resolved reference until it expires', async () => {
    const { context } = await start({ 'serving.reference_cache_ms': 300 });
    await context.registry.setAlias(MODEL, 'canary', 1);
    expect((await context.pool.get(`${MODEL}@canary`)).reference).toBe('sentiment@1');
    await context.registry.deleteAlias(MODEL, 'canary');
    expect((await context.pool.get(`${MODEL}@canary`)).reference).toBe('sentiment@1');
    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(context.pool.get(`${MODEL}@canary`)).rejects.toMatchObject({
      code: 'MAAS_ERR_ALIAS_NOT_FOUND',
    });
  });
});

describe('load and unload routes', () => {
  it('loads, unloads and reloads a model over HTTP', async () => {
    const { url, context } = await start({ 'serving.register_bundled': true });
    const base = url.replace(`/v1/models/${MODEL}/predict`, '');
    const unload = await fetch(`${base}/v1/models/${MODEL}/unload`, { method: 'POST' });
    expect(unload.status).toBe(200);
    expect(await unload.json()).toEqual({ model: 'sentiment@1', loaded: false, was_loaded: true });
    expect(await context.pool.loadedVersions()).toEqual([]);

    const load = await fetch(`${base}/v1/models/${MODEL}/load`, { method: 'POST' });
    expect(load.status).toBe(200);
    expect(await load.json()).toMatchObject({ model: 'sentiment@1', loaded: true });
    expect(await context.pool.loadedVersions()).toEqual(['sentiment@1']);
  });

  it('answers 404 for an unknown model', async () => {
    const { url } = await start({});
    const base = url.replace(`/v1/models/${MODEL}/predict`, '');
    const response = await fetch(`${base}/v1/models/nope/unload`, { method: 'POST' });
    expect(response.status).toBe(404);
  });

  it('reports not ready while a model has queued work and finishes nothing', async () => {
    const { url, context } = await start({
      'serving.max_queue_delay_ms': 2000,
      'serving.ready_stale_ms': 100,
    });
    const base = url.replace(`/v1/models/${MODEL}/predict`, '');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const pending = predict(url, POSITIVE_TEXT);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stalled = await fetch(`${base}/readyz`);
    expect(stalled.status).toBe(503);
    const body = (await stalled.json()) as { error: { message: string } };
    expect(body.error.message).toContain('sentiment@1 finished no batch');
    expect((await pending).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await context.pool.getInHouse(MODEL)).scheduler.stats().queueDepth).toBe(0);
  });
});

describe('pinned models', () => {
  it('reports not ready when a pinned model cannot load', async () => {
    const { url } = await start({ 'serving.pinned_models': 'missing-model' });
    const base = url.replace(`/v1/models/${MODEL}/predict`, '');

    const response = await fetch(`${base}/readyz`);

    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('failed to load missing-model');
  });

  it('loads a pinned model and rejects its unload', async () => {
    const { url, context } = await start({ 'serving.pinned_models': ` ${MODEL} , ` });
    const base = url.replace(`/v1/models/${MODEL}/predict`, '');

    const ready = await fetch(`${base}/readyz`);
    const unload = await fetch(`${base}/v1/models/${MODEL}/unload`, { method: 'POST' });

    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', models: ['sentiment@1'] });
    expect(context.pool.isPinned('sentiment@1')).toBe(true);
    expect(unload.status).toBe(409);
    expect(((await unload.json()) as { error: { code: string } }).error.code).toBe(
      'MAAS_ERR_MODEL_PINNED',
    );
    expect(await context.pool.loadedVersions()).toEqual(['sentiment@1']);
  });

  it('rejects an unload while the pinned model loads', async () => {
    const { context } = await start({});
    await context.registry.importVersionFromFolder(join(modelsDir, MODEL), { name: 'racing' });

    const pinning = context.pool.pin('racing');
    // The reference resolves first; the load has not finished when the pin takes effect.
    while (!context.pool.isPinned('racing@1'))
      await new Promise((resolve) => setImmediate(resolve));
    expect(await context.pool.loadedVersions()).not.toContain('racing@1');
    const unload = context.pool.unload('racing@1');

    await expect(unload).rejects.toMatchObject({ code: 'MAAS_ERR_MODEL_PINNED' });
    expect((await pinning).reference).toBe('racing@1');
    expect(await context.pool.loadedVersions()).toContain('racing@1');
  });

  it('never unloads a pinned model for the budget', async () => {
    const { context } = await start({});
    await context.registry.importVersionFromFolder(join(modelsDir, MODEL), { name: 'copy' });
    const size = (await context.pool.getInHouse(MODEL)).sizeBytes;
    const pool = new ModelPool(context.registry, undefined, { memoryBudgetBytes: size });
    try {
      await pool.pin(MODEL);
      await pool.get('copy');
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Over the budget, but the pinned model stays; the model just loaded is never unloaded.
      expect((await pool.loadedVersions()).sort()).toEqual(['copy@1', 'sentiment@1']);
    } finally {
      await pool.close();
    }
  });
});

describe('pinnedReferences', () => {
  it('splits and trims the setting', () => {
    expect(pinnedReferences('')).toEqual([]);
    expect(pinnedReferences(' a , b@2,,c@staging ')).toEqual(['a', 'b@2', 'c@staging']);
  });
});
