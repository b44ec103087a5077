import { join } from 'node:path';

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import {
  TINY_LLAMA_FILE,
  TINY_LLAMA_LOOP_TEXT,
  writeAllFixtures,
} from '../../src/fixtures/index.js';
import { importGgufFile } from '../../src/serving/import-gguf.js';
import { importHuggingFaceFolder } from '../../src/serving/import-hf-folder.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;
let client: OpenAI;

/** Context size of the `llama` model; `llama-long` has a larger one for the abort test. */
const CONTEXT_SIZE = 256;

beforeAll(async () => {
  root = await makeTempDir('api-openai');
  const fixtures = join(root, 'fixtures');
  await writeAllFixtures(fixtures, { seed: 5 });
  context = await openTestContext(root, {
    'llama.context_size': CONTEXT_SIZE,
    'llama.parallel_sequences': 4,
    'llama.threads': 1,
    'limits.max_tokens': 8000,
    // A chunk for every piece of text, so that tests can see each token's delta.
    'serving.stream_interval_ms': 0,
  });
  const gguf = join(fixtures, TINY_LLAMA_FILE);
  await importGgufFile(context.registry, gguf, { name: 'llama' });
  await importGgufFile(context.registry, gguf, {
    name: 'llama-long',
    contextSize: 8192,
    parallelSequences: 1,
  });
  await importGgufFile(context.registry, gguf, { name: 'llama-embed', task: 'feature-extraction' });
  await importHuggingFaceFolder(context.registry, join(fixtures, 'tiny-bert-feature-extraction'), {
    name: 'bert-embed',
  });
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

/** Returns `passes` passes of the fixture's loop, as greedy decoding writes them. */
function loopText(passes: number): string {
  return TINY_LLAMA_LOOP_TEXT.repeat(passes);
}

/** Sends a JSON POST and returns the status and the body as text. */
async function post(path: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** Parses a server-sent event body into its `data:` payloads. */
function eventData(body: string): string[] {
  return body
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

const GREEDY = { temperature: 0 } as const;
/** Tokens in one pass of the fixture's loop. */
const LOOP_TOKENS = 12;

describe('hostile text on OpenAI routes', () => {
  it.each([
    ['/v1/completions', { model: 'llama', prompt: 'a\u0000b' }, 'prompt'],
    ['/v1/completions', { model: 'llama', prompt: ['a\ud800'] }, 'prompt[0]'],
    [
      '/v1/chat/completions',
      { model: 'llama', messages: [{ role: 'user', content: 'a\udc00b' }] },
      'messages[0].content',
    ],
    ['/v1/embeddings', { model: 'llama-embed', input: ['ok', 'a\u0000'] }, 'input[1]'],
  ])('rejects NUL and lone surrogates on %s', async (path, body, param) => {
    const { status, text } = await post(path, body);

    expect(status).toBe(400);
    const error = (JSON.parse(text) as { error: { param: string; type: string } }).error;
    expect(error.param).toBe(param);
    expect(error.type).toBe('invalid_request_error');
  });
});

describe('chat completions', () => {
  it('completes a chat with the openai client', async () => {
    const completion = await client.chat.completions.create({
      model: 'llama',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: '你好，世界' },
      ],
      max_tokens: LOOP_TOKENS * 2,
      ...GREEDY,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('llama');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(completion.choices[0]?.message.content).toBe(loopText(2));
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(LOOP_TOKENS * 2);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(5);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + LOOP_TOKENS * 2,
    );
  });

  it('streams the same text as the non-streamed response', async () => {
    const request = {
      model: 'llama',
      messages: [{ role: 'user' as const, content: 'tell me a story' }],
      max_tokens: 40,
      temperature: 0.7,
      seed: 42,
    };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishReasons: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        if (choice.finish_reason !== null) finishReasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(finishReasons).toEqual(['length']);
    expect(usage?.completion_tokens).toBe(40);
    expect(usage?.prompt_tokens).toBe(whole.usage?.prompt_tokens);
  });

  it('sends one final chunk, then usage, then [DONE]', async () => {
    const { status, text } = await post('/v1/chat/completions', {
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
      ...GREEDY,
    });
    expect(status).toBe(200);
    const data = eventData(text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
    const ids = new Set(chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const finals = chunks.filter((chunk) =>
      chunk.choices.some((choice: { finish_reason: unknown }) => choice.finish_reason !== null),
    );
    expect(finals).toHaveLength(1);
    expect(chunks.at(-2)).toBe(finals[0]);
    expect(finals[0].choices[0]).toMatchObject({ delta: {}, finish_reason: 'length' });
    const usageChunk = chunks.at(-1);
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ completion_tokens: 6 });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
  });

  it('holds back a character split over byte tokens', async () => {
    const { text } = await post('/v1/chat/completions', {
      model: 'llama',
      messages: [{ role: 'user', content: '猫' }],
      max_tokens: LOOP_TOKENS,
      stream: true,
      ...GREEDY,
    });
    const deltas = eventData(text)
      .slice(0, -1)
      .map((payload) => JSON.parse(payload).choices[0]?.delta.content ?? '')
      .filter((delta: string) => delta !== '');
    // 猫 arrives as three byte tokens: the first two produce no delta.
    expect(deltas.join('')).toBe(loopText(1));
    expect(deltas).toContain('猫');
    expect(deltas.some((delta: string) => delta.includes('\uFFFD'))).toBe(false);
    expect(deltas).toHaveLength(LOOP_TOKENS - 2);
  });

  it('stops at a stop sequence', async () => {
    const stopped = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      stop: ['猫', 'never'],
      ...GREEDY,
    });
    expect(stopped.choices[0]?.message.content).toBe(' hello world,');
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
    // hello, world, the comma and the three byte tokens of 猫, which complete the stop.
    expect(stopped.usage?.completion_tokens).toBe(6);
  });

  it('stops at a stop sequence across tokens when streaming', async () => {
    const stream = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      stop: 'd,猫你',
      stream: true,
      ...GREEDY,
    });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(' hello worl');
    expect(finish).toBe('stop');
  });

  it('gives the same text twice for one seed', async () => {
    const request = {
      model: 'llama',
      messages: [{ role: 'user' as const, content: 'seeded' }],
      max_tokens: 30,
      temperature: 2,
      seed: 7,
    };
    const first = await client.chat.completions.create(request);
    const second = await client.chat.completions.create(request);
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    const greedyA = await client.chat.completions.create({ ...request, ...GREEDY });
    const greedyB = await client.chat.completions.create({ ...request, ...GREEDY });
    expect(greedyA.choices[0]?.message.content).toBe(greedyB.choices[0]?.message.content);
  });

  it('runs four streams at the same time', async () => {
    const firstChunkAt: number[] = [];
    const endAt: number[] = [];
    const texts = await Promise.all(
      [0, 1, 2, 3].map(async (index) => {
        const stream = await client.chat.completions.create({
          model: 'llama',
          messages: [{ role: 'user', content: `stream ${index}` }],
          max_tokens: 120,
          stream: true,
          ...GREEDY,
        });
        let text = '';
        for await (const chunk of stream) {
          if (firstChunkAt[index] === undefined) firstChunkAt[index] = performance.now();
          text += chunk.choices[0]?.delta.content ?? '';
        }
        endAt[index] = performance.now();
        return text;
      }),
    );
    for (const text of texts) expect(text).toBe(loopText(10));
    // Each stream started before any of them ended, so none waited in the queue.
    expect(Math.max(...firstChunkAt)).toBeLessThan(Math.min(...endAt));
  });

  it('rejects a prompt longer than the context', async () => {
    const error = await client.chat.completions
      .create({
        model: 'llama',
        messages: [{ role: 'user', content: '你'.repeat(CONTEXT_SIZE * 2) }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.code).toBe('MAAS_ERR_PROMPT_TOO_LONG');
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.message).toMatch(/the prompt has \d+ tokens/);
    expect(apiError.message).toContain(`holds ${CONTEXT_SIZE}`);
  });

  it('rejects max_tokens above limits.max_tokens', async () => {
    const { status, text } = await post('/v1/chat/completions', {
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8001,
    });
    expect(status).toBe(400);
    const body = JSON.parse(text);
    expect(body.error.param).toBe('max_tokens');
    expect(body.error.code).toBe('MAAS_ERR_REQUEST_INVALID');
    expect(body.error.message).toContain('limits.max_tokens');
  });

  it('rejects max_tokens of 0', async () => {
    const { status, text } = await post('/v1/completions', {
      model: 'llama',
      prompt: 'hi',
      max_tokens: 0,
    });

    expect(status).toBe(400);
    expect(JSON.parse(text).error.param).toBe('max_tokens');
  });

  it('stops at the end of the context with finish_reason length', async () => {
    const completion = await client.chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 5000,
      ...GREEDY,
    });
    const usage = completion.usage;
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0)).toBe(CONTEXT_SIZE);
  });

  it('rejects n other than 1 and a model of another task', async () => {
    const many = await post('/v1/chat/completions', {
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      n: 2,
    });
    expect(many.status).toBe(400);
    expect(JSON.parse(many.text).error.param).toBe('n');
    const wrongTask = await post('/v1/chat/completions', {
      model: 'bert-embed',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(wrongTask.status).toBe(422);
    expect(JSON.parse(wrongTask.text).error.code).toBe('MAAS_ERR_TASK_UNSUPPORTED');
    const missing = await post('/v1/chat/completions', {
      model: 'no-such-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'model',
      code: 'MAAS_ERR_MODEL_NOT_FOUND',
    });
  });
});

describe('model list', () => {
  it('lists GGUF models with the openai client', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['llama', 'llama-embed', 'bert-embed']));
  });
});

describe('client disconnects', () => {
  it('frees the sequence of an aborted stream at once', async () => {
    // llama-long has one sequence, so the second request can only run once the first ends.
    const aborter = new AbortController();
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'llama-long',
        messages: [{ role: 'user', content: 'go on forever' }],
        max_tokens: 8000,
        stream: true,
        ...GREEDY,
      }),
      signal: aborter.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    aborter.abort();

    const started = performance.now();
    const next = await client.chat.completions.create({
      model: 'llama-long',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
      ...GREEDY,
    });
    const waitedMs = performance.now() - started;
    expect(next.choices[0]?.finish_reason).toBe('length');

    // The aborted generation would have needed 8000 tokens; time 300 to compare.
    const timed = performance.now();
    await client.chat.completions.create({
      model: 'llama-long',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 300,
      ...GREEDY,
    });
    const per300Ms = performance.now() - timed;
    expect(waitedMs).toBeLessThan(per300Ms * 8);
  });
});

describe('text completions', () => {
  it('completes and streams a prompt', async () => {
    const completion = await client.completions.create({
      model: 'llama',
      prompt: 'Once upon a time',
      max_tokens: LOOP_TOKENS,
      ...GREEDY,
    });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]?.text).toBe(loopText(1));
    expect(completion.choices[0]?.finish_reason).toBe('length');

    const stream = await client.completions.create({
      model: 'llama',
      prompt: 'Once upon a time',
      max_tokens: LOOP_TOKENS,
      stream: true,
      ...GREEDY,
    });
    let text = '';
    const reasons: string[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      const reason = chunk.choices[0]?.finish_reason;
      if (reason !== null && reason !== undefined) reasons.push(reason);
    }
    expect(text).toBe(loopText(1));
    expect(reasons).toEqual(['length']);
  });

  it('ends with finish_reason stop at the end-of-text token', async () => {
    const completion = await client.completions.create({
      model: 'llama',
      prompt: 'say good night~',
      max_tokens: 50,
      ...GREEDY,
    });
    expect(completion.choices[0]?.text).toBe(' good night');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it('echoes the prompt when asked', async () => {
    const completion = await client.completions.create({
      model: 'llama',
      prompt: '~',
      max_tokens: 10,
      echo: true,
      ...GREEDY,
    });
    expect(completion.choices[0]?.text).toBe('~ good night');
  });
});

describe('embeddings', () => {
  it('embeds with a GGUF model and an ONNX model', async () => {
    for (const model of ['llama-embed', 'bert-embed']) {
      const response = await client.embeddings.create({
        model,
        input: ['你好，世界', 'hello 😀', '猫'.repeat(20)],
      });
      expect(response.object).toBe('list');
      expect(response.data).toHaveLength(3);
      const width = response.data[0]?.embedding.length ?? 0;
      expect(width).toBeGreaterThan(0);
      for (const [index, item] of response.data.entries()) {
        expect(item.index).toBe(index);
        expect(item.embedding).toHaveLength(width);
        expect(item.embedding.every(Number.isFinite)).toBe(true);
      }
      expect(response.usage.prompt_tokens).toBeGreaterThan(0);
    }
  });

  it('returns floats when asked for them', async () => {
    const { status, text } = await post('/v1/embeddings', {
      model: 'llama-embed',
      input: 'hello',
      encoding_format: 'float',
    });
    expect(status).toBe(200);
    const body = JSON.parse(text);
    expect(body.data[0].embedding).toHaveLength(64);
  });

  it('rejects an empty input', async () => {
    const { status, text } = await post('/v1/embeddings', {
      model: 'llama-embed',
      input: ['hello', ''],
    });
    expect(status).toBe(400);
    expect(JSON.parse(text).error.param).toBe('input[1]');
  });

  it('rejects a generation model', async () => {
    const { status, text } = await post('/v1/embeddings', { model: 'llama', input: 'hello' });
    expect(status).toBe(422);
    expect(JSON.parse(text).error.code).toBe('MAAS_ERR_TASK_UNSUPPORTED');
  });
});

describe('native predict route', () => {
  it('returns generated_text with the prompt', async () => {
    const { status, text } = await post('/v1/models/llama/predict', {
      inputs: 'Once upon a time',
      parameters: { max_new_tokens: LOOP_TOKENS, do_sample: false },
    });
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual([{ generated_text: `Once upon a time${loopText(1)}` }]);
  });

  it('returns one list per input without the prompt', async () => {
    const { status, text } = await post('/v1/models/llama/predict', {
      inputs: ['a', '~'],
      parameters: { max_new_tokens: 3, do_sample: false, return_full_text: false },
    });
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual([
      [{ generated_text: ' hello world,' }],
      [{ generated_text: ' good night' }],
    ]);
  });

  it('rejects an unknown parameter', async () => {
    const { status, text } = await post('/v1/models/llama/predict', {
      inputs: 'hi',
      parameters: { max_length: 3 },
    });
    expect(status).toBe(400);
    expect(JSON.parse(text).error.param).toBe('parameters.max_length');
  });
});
