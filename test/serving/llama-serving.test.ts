import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { writeTinyLlamaGguf } from '../../src/fixtures/index.js';
import { LlamaTextGenerator, type GenerationRequest } from '../../src/runtimes/llama/index.js';
import { GenerationServing } from '../../src/serving/llama-serving.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

let root: string;
let serving: GenerationServing;

beforeAll(async () => {
  root = await makeTempDir('llama-serving');
  const file = join(root, 'tiny.gguf');
  await writeTinyLlamaGguf(file);
  const generator = await LlamaTextGenerator.load(file, {
    contextSize: 4096,
    parallelSequences: 1,
    threads: 1,
  });
  serving = new GenerationServing(generator, 'tiny@1', { limits: { maxQueueLength: 1 } });
}, 60_000);

afterAll(async () => {
  await serving?.close();
  if (root !== undefined) await removeTempDir(root);
});

function request(maxTokens: number, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    promptTokens: serving.generator.tokenizePrompt('hello'),
    maxTokens,
    temperature: 0,
    topP: 1,
    topK: 0,
    stop: [],
    ...extra,
  };
}

/** Resolves once `serving` has a generation running, polled every millisecond. */
async function untilRunning(): Promise<void> {
  while (serving.stats().queueDepth > 0 || serving.generator.lastTokenAt === 0) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('GenerationServing', () => {
  it('queues beyond its sequences and rejects beyond the queue', async () => {
    const aborter = new AbortController();
    const running = serving.generate(request(4000, { signal: aborter.signal }), {
      signal: aborter.signal,
    });
    await untilRunning();
    const queued = serving.generate(request(2));
    const rejected = await serving.generate(request(2)).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(MaasError);
    expect((rejected as MaasError).code).toBe('MAAS_ERR_MODEL_OVERLOADED');
    expect((rejected as MaasError).retryAfterSeconds).toBeGreaterThan(0);

    aborter.abort(new Error('test abort'));
    const cancelled = await running.catch((error: unknown) => error);
    expect((cancelled as MaasError).code).toBe('MAAS_ERR_REQUEST_CANCELLED');
    const next = await queued;
    expect(next.completionTokens).toBe(2);
  });

  it('rejects with 504 past the queue deadline', async () => {
    const aborter = new AbortController();
    const running = serving.generate(request(4000, { signal: aborter.signal }), {
      signal: aborter.signal,
    });
    await untilRunning();
    const late = await serving
      .generate(request(2), { deadlineMs: 20 })
      .catch((error: unknown) => error);
    expect((late as MaasError).code).toBe('MAAS_ERR_DEADLINE_EXCEEDED');
    aborter.abort();
    await running.catch(() => undefined);
  });

  it('rejects a prompt that fills the context', async () => {
    const tokens = Array.from({ length: serving.contextSize }, () => 263);
    const error = await serving
      .generate(request(5, { promptTokens: tokens }))
      .catch((caught: unknown) => caught);
    expect((error as MaasError).code).toBe('MAAS_ERR_PROMPT_TOO_LONG');
    expect((error as MaasError).details).toEqual({
      promptTokens: serving.contextSize,
      contextSize: serving.contextSize,
    });
  });

  it('stays healthy while a long generation runs with requests queued', async () => {
    const aborter = new AbortController();
    const running = serving.generate(request(4000, { signal: aborter.signal }), {
      signal: aborter.signal,
    });
    await untilRunning();
    const queued = serving.generate(request(1));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(serving.isHealthy(Date.now(), 50)).toBe(true);
    aborter.abort();
    await running.catch(() => undefined);
    await queued;
  });
});
