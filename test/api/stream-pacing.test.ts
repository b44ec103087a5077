import { join } from 'node:path';

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TINY_LLAMA_FILE, writeAllFixtures } from '../../src/fixtures/index.js';
import { importGgufFile } from '../../src/serving/import-gguf.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// Streams with the default `serving.stream_interval_ms`, which joins the text of tokens that
// the fixture model writes faster than one per interval.
let root: string;
let running: TestServer;
let client: OpenAI;

const MAX_TOKENS = 1500;

beforeAll(async () => {
  root = await makeTempDir('stream-pacing');
  const fixtures = join(root, 'fixtures');
  await writeAllFixtures(fixtures, { seed: 5 });
  running = await startTestServer(
    root,
    { 'llama.context_size': 2048, 'llama.threads': 1 },
    async (context) => {
      await importGgufFile(context.registry, join(fixtures, TINY_LLAMA_FILE), { name: 'llama' });
    },
  );
  client = new OpenAI({ baseURL: `${running.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await running?.close();
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
