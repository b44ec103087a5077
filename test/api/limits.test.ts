import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { meterTokens } from '../../src/api/metering.js';
import { buildServer, type Server } from '../../src/api/server.js';
import { openContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';
import { MaasError } from '../../src/errors/index.js';
import type { CreateKeyOptions } from '../../src/tenancy/index.js';
import { makeTempDir, removeTempDir, silentLogger } from '../helpers/sentiment-fixture.js';

let root: string;
let dataDir: string;
let modelsDir: string;

beforeAll(async () => {
  root = await makeTempDir('limits');
  dataDir = await mkdtemp(join(root, 'data-'));
  modelsDir = await mkdtemp(join(root, 'models-'));
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

/** Signals from the hold route: `entered` resolves once a request is inside the handler. */
let entered: () => void = () => undefined;

/**
 * Adds `/v1/test/hold?outcome=ok|error|deadline|hang` and `/v1/test/tokens?n=N`, which stand
 * in for model routes: they run behind the same hooks as every `infer` route.
 */
function addTestRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: { outcome?: string } }>(
    '/v1/test/hold',
    { config: { scope: 'infer' } },
    async (request) => {
      entered();
      const outcome = request.query.outcome ?? 'ok';
      if (outcome === 'error') throw new MaasError('MAAS_ERR_REQUEST_INVALID', 'failed on purpose');
      if (outcome === 'deadline') {
        await sleep(20);
        throw new MaasError('MAAS_ERR_DEADLINE_EXCEEDED', 'deadline passed on purpose');
      }
      if (outcome === 'hang') {
        await new Promise((resolve) => request.raw.once('close', resolve));
      }
      return { outcome };
    },
  );
  app.get<{ Querystring: { n: string } }>(
    '/v1/test/tokens',
    { config: { scope: 'infer' } },
    async (request) => {
      await meterTokens(request, { input: Number(request.query.n) });
      return { metered: Number(request.query.n) };
    },
  );
}

async function start(): Promise<{ context: AppContext; server: Server; url: string }> {
  const { settings } = loadConfig({
    env: {},
    flags: { data_dir: dataDir, models_dir: modelsDir, 'log.level': 'silent' },
  });
  const context = await openContext(settings, silentLogger());
  const server = buildServer(context, silentLogger());
  addTestRoutes(server.app);
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { context, server, url };
}

async function stop(running: { context: AppContext; server: Server }): Promise<void> {
  await running.server.app.close();
  await running.context.close();
}

describe('limits', () => {
  let running: { context: AppContext; server: Server; url: string };

  beforeAll(async () => {
    running = await start();
  });

  afterAll(async () => {
    if (running !== undefined) await stop(running);
  });

  async function newKey(options: Partial<CreateKeyOptions>): Promise<string> {
    const created = await running.context.tenancy.keys.create({
      name: 'limited',
      scopes: ['infer'],
      ...options,
    });
    return created.secret;
  }

  function call(secret: string, path: string, signal?: AbortSignal): Promise<Response> {
    return fetch(`${running.url}${path}`, {
      headers: { authorization: `Bearer ${secret}` },
      ...(signal === undefined ? {} : { signal }),
    });
  }

  it('answers the 61st request in a minute with 429', async () => {
    const secret = await newKey({ limits: { rpm: 60 } });
    const inject = (): Promise<LightMyRequestResponse> =>
      running.server.app.inject({ url: '/v1/models', headers: { 'x-api-key': secret } });
    for (let i = 1; i <= 60; i += 1) {
      const response = await inject();
      expect([i, response.statusCode]).toEqual([i, 200]);
      expect(response.headers['x-ratelimit-limit-requests']).toBe('60');
    }
    const limited = await inject();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('MAAS_ERR_RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBe(1);
    expect(limited.headers['x-ratelimit-limit-requests']).toBe('60');
    expect(limited.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(Number(limited.headers['x-ratelimit-reset-requests'])).toBeGreaterThan(55);

    await sleep(retryAfter * 1000);
    expect((await inject()).statusCode).toBe(200);
  });

  it('frees the concurrency slot after every outcome', async () => {
    const secret = await newKey({ limits: { maxConcurrent: 1 } });
    const expected = { ok: 200, error: 400, deadline: 504 } as const;
    for (const [outcome, status] of Object.entries(expected)) {
      const response = await call(secret, `/v1/test/hold?outcome=${outcome}`);
      expect([outcome, response.status]).toEqual([outcome, status]);
      const next = await call(secret, '/v1/test/hold');
      expect([outcome, next.status]).toEqual([outcome, 200]);
    }
  });

  it('frees the slot when the client disconnects', async () => {
    const secret = await newKey({ limits: { maxConcurrent: 1 } });
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const controller = new AbortController();
    const hanging = call(secret, '/v1/test/hold?outcome=hang', controller.signal).catch(
      (error: unknown) => error,
    );
    await inside;
    entered = () => undefined;
    const busy = await call(secret, '/v1/test/hold');
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('1');

    controller.abort();
    expect(await hanging).toBeInstanceOf(Error);
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
      await sleep(20);
      status = (await call(secret, '/v1/test/hold')).status;
    }
    expect(status).toBe(200);
  });

  it('limits tokens per minute', async () => {
    const secret = await newKey({ limits: { tpm: 10 } });
    const first = await call(secret, '/v1/test/tokens?n=6');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('10');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('4');
    const second = await call(secret, '/v1/test/tokens?n=6');
    expect(second.status).toBe(429);
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe('4');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(12);
  });
});

describe('monthly quota', () => {
  it('survives a restart', async () => {
    let running = await start();
    const { secret } = await running.context.tenancy.keys.create({
      name: 'quota',
      scopes: ['infer'],
      limits: { monthlyTokens: 10 },
    });
    const call = (n: number): Promise<Response> =>
      fetch(`${running.url}/v1/test/tokens?n=${n}`, {
        headers: { authorization: `Bearer ${secret}` },
      });
    try {
      expect((await call(6)).status).toBe(200);
      const over = await call(6);
      expect(over.status).toBe(429);
      const body = (await over.json()) as { error: { code: string } };
      expect(body.error.code).toBe('MAAS_ERR_QUOTA_EXCEEDED');
    } finally {
      await stop(running);
    }

    running = await start();
    try {
      expect((await call(5)).status).toBe(429);
      expect((await call(4)).status).toBe(200);
      const spent = await call(1);
      expect(spent.status).toBe(429);
      expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await stop(running);
    }
  });
});
