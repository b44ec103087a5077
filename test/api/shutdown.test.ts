import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import { openContext, type AppContext } from '../../src/app/context.js';
import { shutDown } from '../../src/api/shutdown.js';
import { loadConfig } from '../../src/config/index.js';
import { makeTempDir, removeTempDir, silentLogger } from '../helpers/sentiment-fixture.js';

let root: string;

beforeAll(async () => {
  root = await makeTempDir('shutdown');
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

async function start(
  dataDir: string,
): Promise<{ context: AppContext; server: Server; url: string; entered: Promise<void> }> {
  const { settings } = loadConfig({
    env: {},
    flags: {
      data_dir: dataDir,
      models_dir: await mkdtemp(join(root, 'models-')),
      'log.level': 'silent',
      'usage.flush_interval_ms': 3_600_000,
    },
  });
  const context = await openContext(settings, silentLogger());
  const server = buildServer(context, silentLogger());
  let signalEntered: () => void = () => undefined;
  const entered = new Promise<void>((resolve) => (signalEntered = resolve));
  server.app.get<{ Querystring: { ms: string } }>(
    '/v1/test/slow',
    { config: { scope: 'infer' } },
    async (request) => {
      signalEntered();
      await sleep(Number(request.query.ms));
      return { slept: Number(request.query.ms) };
    },
  );
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { context, server, url, entered };
}

describe('shutDown', () => {
  it('finishes in-flight requests and writes usage', async () => {
    const dataDir = await mkdtemp(join(root, 'data-'));
    const { context, server, url, entered } = await start(dataDir);
    const inFlight = fetch(`${url}/v1/test/slow?ms=300`);
    await entered;

    const clean = await shutDown(server, context, 5000, silentLogger());
    expect(clean).toBe(true);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ slept: 300 });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const reopened = await start(dataDir);
    try {
      const rows = await reopened.context.tenancy.usage.query({ keyId: 'anonymous' });
      expect(rows.map((row) => row.requests)).toEqual([1]);
    } finally {
      await reopened.server.app.close();
      await reopened.context.close();
    }
  });

  it('stops waiting at the deadline', async () => {
    const dataDir = await mkdtemp(join(root, 'data-'));
    const { context, server, url, entered } = await start(dataDir);
    const controller = new AbortController();
    const inFlight = fetch(`${url}/v1/test/slow?ms=3000`, { signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await entered;

    const started = Date.now();
    expect(await shutDown(server, context, 200, silentLogger())).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    controller.abort();
    await inFlight;
  });
});
