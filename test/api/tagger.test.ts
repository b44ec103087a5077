import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS } from '../../src/training/tagging/model.js';
import { registerTagger } from '../../src/training/tagging/register.js';
import { trainTagger } from '../../src/training/tagging/train.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';
import { NER_TAGS, synthesizeNerSentences } from '../helpers/ner-fixture.js';

/** A short window, so that inputs of more than 12 characters run as several windows. */
const HYPERPARAMETERS = {
  ...DEFAULT_TAGGER_HYPERPARAMETERS,
  embeddingDim: 32,
  units: 32,
  epochs: 6,
  patience: 6,
  learningRate: 0.01,
  batchSize: 16,
  maxLength: 12,
};

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;
let versionDir: string;

beforeAll(async () => {
  root = await makeTempDir('api-tagger');
  context = await openTestContext(root, { 'serving.max_queue_delay_ms': 5 });
  const validation = synthesizeNerSentences(60, 2);
  const trained = await trainTagger({
    train: synthesizeNerSentences(240, 1),
    validation,
    tags: NER_TAGS,
    hyperparameters: HYPERPARAMETERS,
  });
  const version = await registerTagger(context.registry, trained, {
    name: 'ner-test',
    hyperparameters: HYPERPARAMETERS,
    tags: NER_TAGS,
    validation,
    test: synthesizeNerSentences(40, 3),
  });
  trained.model.dispose();
  versionDir = version.dir;
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

interface Entity {
  entity_group: string;
  score: number;
  word: string;
  start: number;
  end: number;
}

async function predict(body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${baseUrl}/v1/models/ner-test/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

function spans(entities: Entity[]): [string, string, number, number][] {
  return entities.map((entity) => [entity.entity_group, entity.word, entity.start, entity.end]);
}

describe('in-house tagger over HTTP', () => {
  it('registers with a model card and ONNX parity', async () => {
    const card = JSON.parse(await readFile(join(versionDir, 'model-card.json'), 'utf8'));

    expect(card.task).toBe('token-classification');
    expect(card.labels).toEqual(NER_TAGS);
    expect(card.onnx_parity.max_abs_diff).toBeLessThan(1e-4);
    expect(card.metrics.test.overall.f1).toBeGreaterThan(0.85);
  });

  it('returns entity groups with offsets', async () => {
    const { status, json } = await predict({ inputs: '张伟在成都工作' });

    expect(status).toBe(200);
    expect(spans(json as Entity[])).toEqual([
      ['PER', '张伟', 0, 2],
      ['LOC', '成都', 3, 5],
    ]);
    for (const entity of json as Entity[]) {
      expect(entity.score).toBeGreaterThan(0);
      expect(entity.score).toBeLessThanOrEqual(1);
    }
  });

  it('counts offsets in UTF-16 units after emoji', async () => {
    const text = '😀👍🏽张伟在成都工作';
    const { json } = await predict({ inputs: text });
    const entities = json as Entity[];

    expect(entities.map((entity) => text.slice(entity.start, entity.end))).toEqual([
      '张伟',
      '成都',
    ]);
    expect(entities[0]?.start).toBe(6);
  });

  it('gives repeated names their own offsets', async () => {
    const text = '张伟加入了腾讯公司，张伟在成都工作';
    const { json } = await predict({ inputs: text });
    const people = (json as Entity[]).filter((entity) => entity.entity_group === 'PER');

    expect(people.map((entity) => entity.start)).toEqual([0, 10]);
    expect(people.every((entity) => text.slice(entity.start, entity.end) === '张伟')).toBe(true);
  });

  it('tags inputs longer than one window', async () => {
    // 7 + 8 + 7 characters: the second sentence spans the 12-character window boundary.
    const text = '今天天气很好。王小明昨天去了上海。刘洋在南京工作';
    const { json } = await predict({ inputs: text });

    expect(spans(json as Entity[]).map(([type, word]) => `${type}:${word}`)).toEqual([
      'PER:王小明',
      'LOC:上海',
      'PER:刘洋',
      'LOC:南京',
    ]);
  });

  it('answers a list in order and an empty text with no entities', async () => {
    const { status, json } = await predict({ inputs: ['李华在北京工作', '   ', '今天天气很好'] });

    expect(status).toBe(200);
    const [first, blank, none] = json as Entity[][];
    expect(spans(first as Entity[])).toEqual([
      ['PER', '李华', 0, 2],
      ['LOC', '北京', 3, 5],
    ]);
    expect(blank).toEqual([]);
    expect(none).toEqual([]);
  });

  it('returns every token with aggregation none', async () => {
    const { json } = await predict({
      inputs: '李华在北京',
      parameters: { aggregation_strategy: 'none', ignore_labels: [] },
    });
    const tokens = json as { entity: string; word: string; start: number }[];

    expect(tokens.map((token) => token.entity)).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC']);
    expect(tokens.map((token) => token.start)).toEqual([0, 1, 2, 3, 4]);
  });

  it('accepts more windows than the queue length', async () => {
    // 256 inputs of 120 characters at 12 per window: 2,560 windows, past the 1,024 queue.
    const text = '今天天气很好。王小明昨天去了上海。'.repeat(7).slice(0, 120);

    const { status, json } = await predict({ inputs: new Array<string>(256).fill(text) });

    expect(status).toBe(200);
    expect(json as unknown[]).toHaveLength(256);
    expect((json as Entity[][])[255]).toEqual((json as Entity[][])[0]);
  });

  it('rejects an unknown parameter', async () => {
    const { status, json } = await predict({ inputs: '李华', parameters: { top_k: 2 } });

    expect(status).toBe(400);
    expect((json as { error: { param: string } }).error.param).toBe('parameters.top_k');
  });

  it('gives concurrent requests what they get alone', async () => {
    const texts = [
      '张伟在成都工作',
      '今天天气很好。王小明昨天去了上海。',
      '赵磊',
      '新华社位于北京',
    ];
    const alone: unknown[] = [];
    for (const text of texts) alone.push((await predict({ inputs: text })).json);

    const together = await Promise.all(
      Array.from({ length: 24 }, (_, index) => predict({ inputs: texts[index % texts.length] })),
    );

    together.forEach((result, index) => {
      expect(result.status).toBe(200);
      expect(result.json).toEqual(alone[index % texts.length]);
    });
  });
});
