import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { writeAllFixtures } from '../../src/fixtures/index.js';
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

beforeAll(async () => {
  root = await makeTempDir('api-hf');
  const fixtures = join(root, 'fixtures');
  await writeAllFixtures(fixtures, { seed: 3 });
  context = await openTestContext(root, { 'serving.max_queue_delay_ms': 10 });
  for (const task of [
    'text-classification',
    'token-classification',
    'feature-extraction',
    'fill-mask',
    'zero-shot-classification',
  ]) {
    await importHuggingFaceFolder(context.registry, join(fixtures, `tiny-bert-${task}`), {
      name: task,
    });
  }
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

// The shapes differ per task; each test reads the fields it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function predict(model: string, body: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${baseUrl}/v1/models/${model}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('Hugging Face folders over HTTP', () => {
  it('registers each fixture with its task', async () => {
    const models = await context.registry.listModels();
    expect(Object.fromEntries(models.map((model) => [model.name, model.task]))).toEqual({
      'feature-extraction': 'feature-extraction',
      'fill-mask': 'fill-mask',
      'text-classification': 'text-classification',
      'token-classification': 'token-classification',
      'zero-shot-classification': 'zero-shot-classification',
    });
  });

  it('classifies text with top_k', async () => {
    const { status, json } = await predict('text-classification', {
      inputs: '房间很干净',
      parameters: { top_k: null },
    });
    expect(status).toBe(200);
    expect(json.map((entry: { label: string }) => entry.label).sort()).toEqual([
      'negative',
      'positive',
    ]);
  });

  it('returns entity offsets into the original text', async () => {
    const text = '张三和李四去了上海 😀，张三很高兴';
    const { status, json } = await predict('token-classification', {
      inputs: text,
      parameters: { aggregation_strategy: 'none', ignore_labels: [] },
    });
    expect(status).toBe(200);
    expect(json.length).toBeGreaterThan(5);
    for (const entity of json as { word: string; start: number; end: number }[]) {
      expect(text.slice(entity.start, entity.end)).toBe(entity.word);
    }
    const zhang = (json as { word: string; start: number }[]).filter((e) => e.word === '张');
    // 😀 is two UTF-16 code units, so the second 张 starts at 13.
    expect(zhang.map((e) => e.start)).toEqual([0, 13]);
  });

  it('pools features to one vector per input', async () => {
    const { status, json } = await predict('feature-extraction', {
      inputs: ['你好', 'hello world'],
      parameters: { pooling: 'mean', normalize: true },
    });
    expect(status).toBe(200);
    expect(json).toHaveLength(2);
    const norm = Math.hypot(...(json[0] as number[]));
    expect(norm).toBeCloseTo(1, 5);
  });

  it('fills a mask', async () => {
    const { status, json } = await predict('fill-mask', { inputs: '房间很[MASK]净' });
    expect(status).toBe(200);
    expect(json).toHaveLength(5);
  });

  it('classifies zero-shot with candidate labels', async () => {
    const { status, json } = await predict('zero-shot-classification', {
      inputs: '房间很干净',
      parameters: { candidate_labels: ['酒店', '餐厅', '交通'] },
    });
    expect(status).toBe(200);
    expect([...json.labels].sort()).toEqual(['交通', '酒店', '餐厅']);
  });

  it('names an invalid parameter', async () => {
    const { status, json } = await predict('zero-shot-classification', { inputs: 'x' });
    expect(status).toBe(400);
    expect(json.error.param).toContain('candidate_labels');
  });

  it('gives concurrent requests the results they get alone', async () => {
    const texts = ['好', '房间很干净，服务也很好，'.repeat(8), 'great room 😀', '北京'];
    const alone: unknown[] = [];
    for (const text of texts)
      alone.push(
        (await predict('text-classification', { inputs: text, parameters: { top_k: null } })).json,
      );
    const together = await Promise.all(
      texts.map(
        async (text) =>
          (await predict('text-classification', { inputs: text, parameters: { top_k: null } }))
            .json,
      ),
    );
    together.forEach((result, index) => {
      const expected = alone[index] as { label: string; score: number }[];
      (result as { label: string; score: number }[]).forEach((entry, rank) => {
        expect(entry.label).toBe(expected[rank]?.label);
        expect(entry.score).toBeCloseTo(expected[rank]?.score as number, 5);
      });
    });
  });

  it('serves many distinct parameter sets at once', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const body = { inputs: 'hi', parameters: { candidate_labels: ['a', `b${i}`] } };
        return (await predict('zero-shot-classification', body)).status;
      }),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });

  it('fails only the request whose input is bad', async () => {
    const good = Array.from({ length: 6 }, (_, i) =>
      predict('fill-mask', { inputs: `房间${i}很[MASK]净` }),
    );
    const bad = predict('fill-mask', { inputs: ['好[MASK]', '没有掩码'] });
    const results = await Promise.all([...good, bad]);
    expect(results.slice(0, 6).map((result) => result.status)).toEqual([
      200, 200, 200, 200, 200, 200,
    ]);
    const failed = results[6];
    expect(failed?.status).toBe(400);
    expect(failed?.json.error.param).toBe('inputs[1]');
  });

  it('caps the number of candidate labels', async () => {
    const labels = Array.from({ length: 65 }, (_, i) => `label ${i}`);
    const { status, json } = await predict('zero-shot-classification', {
      inputs: 'x',
      parameters: { candidate_labels: labels },
    });
    expect(status).toBe(400);
    expect(json.error.message).toContain('limits.max_candidate_labels');
  });
});
