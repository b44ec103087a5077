import { Writable } from 'node:stream';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';

let root: string;

beforeAll(async () => {
  root = await makeTempDir('auth');
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

/** Opens a fresh data folder and a server over it, with `flags` on top. */
async function startServer(
  flags: Record<string, unknown> = {},
): Promise<{ context: AppContext; server: Server; stop(): Promise<void> }> {
  const context = await openTestContext(root, flags);
  const server = buildServer(context, silentLogger());
  server.app.get(
    '/v1/test/openai',
    { config: { scope: 'infer', errorShape: 'openai' } },
    async () => ({ ok: true }),
  );
  await server.app.ready();
  return {
    context,
    server,
    async stop() {
      await server.app.close();
      await context.close();
    },
  };
}

describe('auth on loopback', () => {
  it('stays off until a key exists', async () => {
    const { context, server, stop } = await startServer();
    try {
      expect((await server.app.inject({ url: '/v1/models' })).statusCode).toBe(200);
      await context.tenancy.keys.create({ name: 'first', scopes: ['infer'] });
      const response = await server.app.inject({ url: '/v1/models' });
      expect(response.statusCode).toBe(401);
      const rows = await context.tenancy.usage.query({ keyId: 'anonymous' });
      expect(rows.map((row) => row.requests)).toEqual([1]);
    } finally {
      await stop();
    }
  });

  it('is on with auth.required and no keys', async () => {
    const { server, stop } = await startServer({ 'auth.required': true });
    try {
      expect((await server.app.inject({ url: '/v1/models' })).statusCode).toBe(401);
      expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await stop();
    }
  });

  it('is on for a non-loopback host', async () => {
    const { server, stop } = await startServer({ host: '0.0.0.0' });
    try {
      expect((await server.app.inject({ url: '/v1/models' })).statusCode).toBe(401);
    } finally {
      await stop();
    }
  });
});

describe('auth with keys', () => {
  let context: AppContext;
  let server: Server;
  let stop: () => Promise<void>;
  let admin: { id: string; secret: string };
  let infer: { id: string; secret: string };

  beforeAll(async () => {
    ({ context, server, stop } = await startServer({ 'auth.required': true }));
    const adminKey = await context.tenancy.keys.create({ name: 'admin', scopes: ['admin'] });
    admin = { id: adminKey.key.id, secret: adminKey.secret };
    const inferKey = await context.tenancy.keys.create({
      name: 'infer',
      scopes: ['infer'],
      models: ['allowed'],
    });
    infer = { id: inferKey.key.id, secret: inferKey.secret };
  });

  afterAll(async () => {
    await stop?.();
  });

  function get(url: string, headers: Record<string, string>) {
    return server.app.inject({ url, headers });
  }

  it('reads the key from either header', async () => {
    for (const authorization of [`Bearer ${infer.secret}`, `bearer ${infer.secret}`]) {
      expect((await get('/v1/models', { authorization })).statusCode).toBe(200);
    }
    expect(
      (await get('/v1/models', { authorization: `BEARER  ${infer.secret} ` })).statusCode,
    ).toBe(200);
    expect((await get('/v1/models', { 'x-api-key': infer.secret })).statusCode).toBe(200);
  });

  it('rejects other schemes and unknown keys', async () => {
    for (const authorization of [
      `Basic ${infer.secret}`,
      'Bearer',
      'Bearer maas_nope',
      infer.secret,
    ]) {
      const response = await get('/v1/models', { authorization });
      expect([authorization, response.statusCode]).toEqual([authorization, 401]);
      expect(response.json().error.code).toBe('MAAS_ERR_AUTH_KEY_INVALID');
    }
  });

  it('never echoes the key in an error', async () => {
    const response = await get('/v1/keys', { authorization: `Bearer ${infer.secret}` });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain(infer.secret);
    expect(response.json().error.message).toContain(infer.id);
  });

  it('limits a key to its models', async () => {
    const headers = { authorization: `Bearer ${infer.secret}`, 'content-type': 'application/json' };
    const payload = { inputs: 'text' };
    const other = await server.app.inject({
      method: 'POST',
      url: '/v1/models/other@2/predict',
      headers,
      payload,
    });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('MAAS_ERR_AUTH_MODEL_FORBIDDEN');
    const allowed = await server.app.inject({
      method: 'POST',
      url: '/v1/models/allowed@production/predict',
      headers,
      payload,
    });
    expect(allowed.json().error.code).toBe('MAAS_ERR_MODEL_NOT_FOUND');
  });

  it('renders the OpenAI error shape where declared', async () => {
    const response = await get('/v1/test/openai', {});
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'authentication_error',
        param: null,
        code: 'MAAS_ERR_AUTH_KEY_MISSING',
      },
    });
  });

  it('lists allowed scopes for an unknown one', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: `Bearer ${admin.secret}` },
      payload: { name: 'bad-scope', scopes: ['infer', 'everything'] },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().error.param).toBe('scopes[1]');
    expect(response.json().error.message).toBe(
      'scopes[1] must be one of "infer", "train", "admin"',
    );
  });

  it('manages keys over HTTP and audits it', async () => {
    const headers = { authorization: `Bearer ${admin.secret}` };
    const created = await server.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers,
      payload: { name: 'made-over-http', scopes: ['train'], rpm: 5 },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.secret).toMatch(/^maas_/);
    expect(body).toMatchObject({ name: 'made-over-http', scopes: ['train'], rpm: 5, tpm: null });

    const list = await get('/v1/keys', headers);
    expect(list.body).not.toContain(body.secret);
    expect(list.body).not.toContain('secret');
    expect(list.json().data.map((key: { id: string }) => key.id)).toContain(body.id);

    // With the JSON content type that some clients send on every request.
    const revoked = await server.app.inject({
      method: 'DELETE',
      url: `/v1/keys/${body.id}`,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked_at).not.toBeNull();
    const refused = await get('/v1/usage', { authorization: `Bearer ${body.secret}` });
    expect(refused.statusCode).toBe(401);

    const audit = (await get('/v1/audit?limit=2', headers)).json().data;
    expect(audit.map((entry: { action: string }) => entry.action)).toEqual([
      'DELETE /v1/keys/:id',
      'POST /v1/keys',
    ]);
    expect(audit[0]).toMatchObject({ actor: admin.id, target: body.id, status: 200 });
    expect(audit[1]).toMatchObject({ actor: admin.id, target: body.id, status: 201 });
    expect(JSON.stringify(audit)).not.toContain(body.secret);
  });

  it('rejects an invalid key body naming the field', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: `Bearer ${admin.secret}` },
      payload: { name: 'x', scopes: ['root'] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.param).toMatch(/^scopes/);
  });

  it('shows a key only its own usage', async () => {
    const own = await get('/v1/usage', { authorization: `Bearer ${infer.secret}` });
    expect(own.statusCode).toBe(200);
    const keys = new Set(own.json().data.map((row: { key: string }) => row.key));
    expect([...keys]).toEqual([infer.id]);
    const other = await get(`/v1/usage?key=${admin.id}`, {
      authorization: `Bearer ${infer.secret}`,
    });
    expect(other.statusCode).toBe(403);
    const all = await get(`/v1/usage?key=${infer.id}`, { authorization: `Bearer ${admin.secret}` });
    expect(all.statusCode).toBe(200);
  });

  it('sends security headers', async () => {
    const response = await get('/healthz', {});
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS', () => {
  it('answers only configured origins', async () => {
    const { server, stop } = await startServer({ 'cors.origins': 'https://console.example' });
    try {
      const preflight = await server.app.inject({
        method: 'OPTIONS',
        url: '/v1/models',
        headers: {
          origin: 'https://console.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://console.example');
      const other = await server.app.inject({
        url: '/healthz',
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await stop();
    }
  });
});

describe('logs', () => {
  it('contain no key and no input text', async () => {
    const context = await openTestContext(root, { 'auth.required': true });
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString('utf8');
        done();
      },
    });
    const server = buildServer(context, pino({ level: 'trace' }, sink));
    try {
      const { secret } = await context.tenancy.keys.create({ name: 'logged', scopes: ['infer'] });
      const text = 'private text that must stay out of the log';
      for (const authorization of [`Bearer ${secret}`, `Bearer ${secret.slice(0, -2)}xx`]) {
        await server.app.inject({
          method: 'POST',
          url: '/v1/models/missing/predict',
          headers: { authorization, 'x-api-key': secret },
          payload: { inputs: text },
        });
      }
      expect(output).toContain('request completed');
      expect(output).not.toContain(secret.slice(18));
      expect(output).not.toContain(text);
    } finally {
      await server.app.close();
      await context.close();
    }
  });
});
