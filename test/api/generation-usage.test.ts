import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import { openContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';
import { TINY_LLAMA_FILE, writeAllFixtures } from '../../src/fixtures/index.js';
import { importGgufFile } from '../../src/serving/import-gguf.js';
import { makeTempDir, removeTempDir, silentLogger } from '../helpers/sentiment-fixture.js';

let root: string;
let dataDir: string;

beforeAll(async () => {
  root = await makeTempDir('generation-usage');
  dataDir = await mkdtemp(join(root, 'data-'));
  const fixtures = join(root, 'fixtures');
  await writeAllFixtures(fixtures, { seed: 5 });
  const { context } = await start();
  await importGgufFile(context.registry, join(fixtures, TINY_LLAMA_FILE), { name: 'llama' });
  await context.close();
}, 60_000);

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

async function start(): Promise<{ context: AppContext; server: Server; baseUrl: string }> {
  const { settings } = loadConfig({
    env: {},
    flags: {
      data_dir: dataDir,
      'serving.register_bundled': false,
      'log.level': 'silent',
      'llama.context_size': 256,
      'llama.threads': 1,
      // A chunk for every token, so that the abort test can count tokens by chunks.
      'serving.stream_interval_ms': 0,
      // Long enough that only the query and shutdown write the counters.
      'usage.flush_interval_ms': 3_600_000,
    },
  });
  const context = await openContext(settings, silentLogger());
  const server = buildServer(context, silentLogger());
  const baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { context, server, baseUrl };
}

describe('usage of generations', () => {
  it('counts streamed and whole completions across a restart', async () => {
    const first = await start();
    let { context, server } = first;
    const { baseUrl } = first;
    const { key, secret } = await context.tenancy.keys.create({ name: 'gen', scopes: ['infer'] });
    const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: secret, maxRetries: 0 });
    let prompt = 0;
    let completion = 0;

    const stream = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: '你好' }],
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (chunk.usage) {
        prompt += chunk.usage.prompt_tokens;
        completion += chunk.usage.completion_tokens;
      }
    }
    const whole = await client.completions.create({ model: 'llama', prompt: 'the', max_tokens: 7 });
    prompt += whole.usage?.prompt_tokens ?? 0;
    completion += whole.usage?.completion_tokens ?? 0;
    expect(completion).toBe(12 + 7);

    const headers = { authorization: `Bearer ${secret}` };
    const expected = {
      key: key.id,
      model: 'llama',
      requests: 2,
      input_tokens: prompt,
      output_tokens: completion,
      errors: 0,
    };
    const before = await server.app.inject({ url: '/v1/usage?model=llama', headers });
    expect(before.json().data).toEqual([expect.objectContaining(expected)]);
    await server.app.close();
    await context.close();

    ({ context, server } = await start());
    try {
      const after = await server.app.inject({ url: '/v1/usage?model=llama', headers });
      expect(after.json().data).toEqual([expect.objectContaining(expected)]);
    } finally {
      await server.app.close();
      await context.close();
    }
  }, 60_000);

  it('charges the tokens of an aborted stream', async () => {
    const { context, server, baseUrl } = await start();
    try {
      const { key, secret } = await context.tenancy.keys.create({
        name: 'aborting',
        scopes: ['infer'],
        limits: { tpm: 1000 },
      });
      const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
      const abort = new AbortController();
      const response = await fetch(`${baseUrl}/v1/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'llama', prompt: 'the', max_tokens: 200, stream: true }),
        signal: abort.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let chunks = 0;
      while (chunks < 10) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended after ${chunks} chunks`);
        chunks += new TextDecoder().decode(value).split('data: ').length - 1;
      }
      abort.abort();
      // The generation stops at its next token; give it time to meter what it produced.
      await new Promise((resolve) => setTimeout(resolve, 300));

      const next = await fetch(`${baseUrl}/v1/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'llama', prompt: 'the', max_tokens: 1 }),
      });
      const usage = (
        (await next.json()) as { usage: { total_tokens: number; completion_tokens: number } }
      ).usage;
      const remaining = Number(next.headers.get('x-ratelimit-remaining-tokens'));

      // At least the 10 streamed pieces were generated before the abort, besides the prompts.
      expect(remaining).toBeLessThanOrEqual(1000 - usage.total_tokens - 10);
      // The usage rows count them too, although the aborted request's row was written first.
      const rows = await context.tenancy.usage.query({ keyId: key.id });
      const outputTokens = rows.reduce((sum, row) => sum + row.output_tokens, 0);
      expect(outputTokens).toBeGreaterThanOrEqual(usage.completion_tokens + 10);
      expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(2);
    } finally {
      await server.app.close();
      await context.close();
    }
  }, 60_000);
});
