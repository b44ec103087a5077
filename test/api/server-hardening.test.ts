import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

const LONG_NAME = `m${'x'.repeat(119)}`;

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  root = await makeTempDir('api-hardening');
  const modelsDir = await mkdtemp(join(root, 'bundled-'));
  await writeBundledSentimentModel(root, modelsDir, 'good');
  // A second bundled model whose weights file is cut short: it registers but cannot load.
  await cp(join(modelsDir, 'good'), join(modelsDir, 'broken'), { recursive: true });
  const card = join(modelsDir, 'broken', 'model-card.json');
  await writeFile(
    card,
    JSON.stringify({ ...JSON.parse(await readFile(card, 'utf8')), name: 'broken' }),
  );
  await writeFile(join(modelsDir, 'broken', 'model.onnx'), 'truncated');

  context = await openTestContext(root, { models_dir: modelsDir });
  await context.registry.importVersionFromFolder(join(modelsDir, 'good'), { name: LONG_NAME });
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  await server.warmUp();
});

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

function predict(reference: string): Promise<Response> {
  return fetch(`${baseUrl}/v1/models/${reference}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: POSITIVE_TEXT }),
  });
}

describe('hardening', () => {
  it('serves a 120-character model name', async () => {
    const response = await predict(LONG_NAME);
    expect(response.status).toBe(200);
    const detail = await fetch(`${baseUrl}/v1/models/${LONG_NAME}`);
    expect(detail.status).toBe(200);
  });

  it('reports a broken bundled model as not ready', async () => {
    const response = await fetch(`${baseUrl}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('failed to load broken@1');
  });

  it('still loads the other bundled models', async () => {
    const response = await predict('good');
    expect(response.status).toBe(200);
  });

  it('answers a broken model with 500 and no path', async () => {
    const response = await predict('broken');
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('MAAS_ERR_MODEL_LOAD_FAILED');
    expect(body.error.message).not.toContain(root);
    expect(body.error.message).toContain('broken@1');
  });

  it('replaces an invalid request id', async () => {
    const response = await fetch(`${baseUrl}/healthz`, {
      headers: { 'x-request-id': 'a b'.repeat(100) },
    });
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a valid request id', async () => {
    const response = await fetch(`${baseUrl}/healthz`, {
      headers: { 'x-request-id': 'client-42' },
    });
    expect(response.headers.get('x-request-id')).toBe('client-42');
  });
});

/** Sends raw bytes to the server and returns the whole response text. */
async function sendRaw(request: string): Promise<string> {
  const { connect } = await import('node:net');
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    socket.on('end', () => resolve(response));
    socket.on('close', () => resolve(response));
    socket.on('error', reject);
  });
}

describe('framework errors', () => {
  it('bad percent-encoding uses the error shape', async () => {
    const response = await fetch(`${baseUrl}/v1/models/%zz`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('MAAS_ERR_REQUEST_INVALID');
  });

  it('malformed HTTP uses the error shape', async () => {
    const response = await sendRaw('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(body.error.code).toBe('MAAS_ERR_REQUEST_INVALID');
  });
});
