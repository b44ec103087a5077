import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Server } from '../../src/api/server.js';
import { openContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';
import { parseConllText } from '../../src/training/datasets/conll.js';
import { evaluateTaggerPipeline } from '../../src/training/evaluation/tagger-pipeline.js';
import { splitSentences } from '../../src/training/tagging/split.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelDir = join(root, 'models', 'ner-zh');
const trainFile = join(root, '..', 'shared', 'datasets', 'msra_ner', 'train.txt');
const card = JSON.parse(readFileSync(join(modelDir, 'model-card.json'), 'utf8'));
const tagger = JSON.parse(readFileSync(join(modelDir, 'tagger.json'), 'utf8'));

/** Largest size of the bundled model files, so that the repository stays small. */
const MAX_MODEL_BYTES = 10 * 1024 * 1024;
const TYPES = ['PER', 'LOC', 'ORG'];

interface Entity {
  entity_group: string;
  score: number;
  word: string;
  start: number;
  end: number;
}

describe('bundled ner-zh', () => {
  let dataDir: string;
  let context: AppContext;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'maas-bundled-ner-zh-'));
    const { settings } = loadConfig({
      env: { MAAS_DATA_DIR: dataDir },
      file: undefined,
      cwd: dataDir,
    });
    context = await openContext(settings, pino({ level: 'silent' }));
    server = buildServer(context, pino({ level: 'silent' }));
    baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server?.app.close();
    await context?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is registered with production alias', async () => {
    const version = await context.registry.resolve('ner-zh');

    expect(version.version).toBe(1);
    expect(version.runtime).toBe('onnx');
    expect(version.aliases).toContain('production');
    expect(context.bundled).toContain('ner-zh@1');
  });

  it('model card names data and metrics', () => {
    expect(card.task).toBe('token-classification');
    expect(card.architecture).toBe('bilstm-crf');
    for (const type of TYPES) {
      expect(card.labels).toContain(`B-${type}`);
      expect(card.labels).toContain(`I-${type}`);
      expect(card.metrics.test.per_type[type].support).toBeGreaterThan(0);
    }
    expect(card.training.source).toContain('MSRA');
    expect(card.training.dataset.file).toBe('train.txt');
    expect(card.training.split.test_fraction).toBe(0.05);
    expect(card.training.split.seed).toBe(42);
    expect(card.metrics.test.scheme).toBe('conlleval');
    expect(card.metrics.test.overall.f1).toBeGreaterThan(0.8);
    expect(card.reproduce).toBe('npm run train:ner-zh');
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
  });

  it('renders the card into README.md', () => {
    const readme = readFileSync(join(modelDir, 'README.md'), 'utf8');

    expect(readme).toContain('npm run train:ner-zh');
    expect(readme).toContain(`${(card.metrics.test.overall.f1 * 100).toFixed(2)}%`);
  });

  it('tags characters and stays small', () => {
    const bytes =
      statSync(join(modelDir, 'model.onnx')).size + statSync(join(modelDir, 'tagger.json')).size;

    expect(tagger.unit).toBe('character');
    expect(bytes).toBeLessThan(MAX_MODEL_BYTES);
  });

  it('serves entity groups with offsets, emoji included', async () => {
    const text = '😀 李明昨天在北京参观了清华大学。';
    const response = await fetch(`${baseUrl}/v1/models/ner-zh/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: text }),
    });
    const entities = (await response.json()) as Entity[];

    expect(response.status).toBe(200);
    const found = entities.map((entity) => `${entity.entity_group} ${entity.word}`);
    expect(found).toContain('PER 李明');
    expect(found).toContain('LOC 北京');
    expect(found).toContain('ORG 清华大学');
    for (const entity of entities) {
      expect(TYPES).toContain(entity.entity_group);
      expect(text.slice(entity.start, entity.end)).toBe(entity.word);
      expect(entity.score).toBeGreaterThan(0);
    }
  });

  describe.skipIf(!existsSync(trainFile))('held-out part of MSRA train.txt', () => {
    it('reproduces the test F1 of the card', async () => {
      const dataset = parseConllText(readFileSync(trainFile, 'utf8'), { repairTags: true });
      const { test } = splitSentences(dataset.sentences, {
        testFraction: card.training.split.test_fraction,
        validationFraction: card.training.split.validation_fraction,
        seed: card.training.split.seed,
      });
      expect(test).toHaveLength(card.metrics.test.sequences);

      const model = await context.pool.get('ner-zh');
      if (model.kind !== 'in-house-tagger') throw new Error(`ner-zh loaded as ${model.kind}`);
      const report = await evaluateTaggerPipeline(model.pipeline, test);

      expect(report.overall.f1).toBeCloseTo(card.metrics.test.overall.f1, 6);
      for (const type of TYPES) {
        expect(report.per_type[type]?.f1).toBeCloseTo(card.metrics.test.per_type[type].f1, 6);
      }
    }, 300_000);
  });

  if (!existsSync(trainFile)) {
    console.warn(`skipping the MSRA held-out check: ${trainFile} not found`);
  }
});
