import { join } from 'node:path';

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { TINY_LLAMA_FILE, writeAllFixtures } from '../../src/fixtures/index.js';
import { importGgufFile } from '../../src/serving/import-gguf.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';

// Streams with the default `serving.stream_interval_ms`, which joins the text of tokens that
// the fixture model writes faster than one per interval.
let root: string;
let context: AppContext;
let server: Server;
let client: OpenAI;

const MAX_TOKENS = 1500;

beforeAll(async () => {
  root = await makeTempDir('stream-pacing');
  const fixtures = join(root, 'fixtures');
  await writeAllFixtures(fixtures, { seed: 5 });
  context = await openTestContext(root, { 'llama.context_size': 2048, 'llama.threads': 1 });
  await importGgufFile(context.registry, join(fixtures, TINY_LLAMA_FILE), { name: 'llama' });
  server = buildServer(context, silentLogger());
  const baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

describe('paced streaming', () => {
  it('joins fast tokens, keeps the text', async () => {
    const request = {
      model: 'llama',
      messages: [{ role: 'user' as const, content: '猫 and 🙂' }],
      max_tokens: MAX_TOKENS,
      temperature: 0,
    };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const finishReasons: string[] = [];
    let completionTokens = 0;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }

    expect(deltas.join('')).toBe(whole.choices[0]?.message.content);
    expect(finishReasons).toEqual([whole.choices[0]?.finish_reason]);
    expect(completionTokens).toBe(whole.usage?.completion_tokens);
    expect(completionTokens).toBeGreaterThan(100);
    // One chunk per token without pacing; the fixture writes far more than 100 tokens a second.
    expect(deltas.length).toBeLessThan(completionTokens / 2);
  }, 60_000);
});
