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

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelDir = join(root, 'models', 'ner-en');
const validFile = join(root, '..', 'shared', 'datasets', 'conll2003', 'valid.txt');
const card = JSON.parse(readFileSync(join(modelDir, 'model-card.json'), 'utf8'));
const tagger = JSON.parse(readFileSync(join(modelDir, 'tagger.json'), 'utf8'));

/** Largest size of the bundled model files, so that the repository stays small. */
const MAX_MODEL_BYTES = 10 * 1024 * 1024;

interface Entity {
  entity_group: string;
  score: number;
  word: string;
  start: number;
  end: number;
}

describe('bundled ner-en', () => {
  let dataDir: string;
  let context: AppContext;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'maas-bundled-ner-'));
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
    const version = await context.registry.resolve('ner-en');

    expect(version.version).toBe(1);
    expect(version.runtime).toBe('onnx');
    expect(version.aliases).toContain('production');
    expect(context.bundled).toContain('ner-en@1');
  });

  it('model card names data and metrics', () => {
    expect(card.task).toBe('token-classification');
    expect(card.architecture).toBe('bilstm-crf');
    for (const type of ['PER', 'LOC', 'ORG', 'MISC']) {
      expect(card.labels).toContain(`B-${type}`);
      expect(card.labels).toContain(`I-${type}`);
      expect(card.metrics.test.per_type[type].support).toBeGreaterThan(0);
    }
    expect(card.training.source).toContain('CoNLL-2003');
    expect(card.training.dataset.file).toBe('train.txt');
    expect(card.training.test_data.file).toBe('valid.txt');
    expect(card.training.test_data.sentences).toBe(3250);
    expect(card.training.split.test_fraction).toBe(0);
    expect(card.training.split.validation_fraction).toBe(0.1);
    expect(card.metrics.test.scheme).toBe('conlleval');
    expect(card.metrics.test.overall.f1).toBeGreaterThanOrEqual(0.8);
    expect(card.reproduce).toBe('npm run train:ner-en');
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
  });

  it('renders the card into README.md', () => {
    const readme = readFileSync(join(modelDir, 'README.md'), 'utf8');

    expect(readme).toContain('npm run train:ner-en');
    expect(readme).toContain(`${(card.metrics.test.overall.f1 * 100).toFixed(2)}%`);
  });

  it('uses character features and stays small', () => {
    const bytes =
      statSync(join(modelDir, 'model.onnx')).size + statSync(join(modelDir, 'tagger.json')).size;

    expect(tagger.unit).toBe('word');
    expect(tagger.word_features).toEqual({
      ngram_min: card.training.hyperparameters.ngramMin,
      ngram_max: card.training.hyperparameters.ngramMax,
      buckets: card.training.hyperparameters.ngramBuckets,
      max_ngrams: card.training.hyperparameters.maxNgrams,
    });
    expect(bytes).toBeLessThan(MAX_MODEL_BYTES);
  });

  it('serves entity groups with offsets', async () => {
    const text = 'Angela Merkel met officials of the European Union in Paris on Monday.';
    const response = await fetch(`${baseUrl}/v1/models/ner-en/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: text }),
    });
    const entities = (await response.json()) as Entity[];

    expect(response.status).toBe(200);
    const found = entities.map((entity) => `${entity.entity_group} ${entity.word}`);
    expect(found).toContain('PER Angela Merkel');
    expect(found).toContain('LOC Paris');
    for (const entity of entities) {
      expect(['PER', 'LOC', 'ORG', 'MISC']).toContain(entity.entity_group);
      expect(text.slice(entity.start, entity.end)).toBe(entity.word);
      expect(entity.score).toBeGreaterThan(0);
    }
  });

  describe.skipIf(!existsSync(validFile))('CoNLL-2003 valid.txt', () => {
    it('reproduces the test F1 of the card', async () => {
      const dataset = parseConllText(readFileSync(validFile, 'utf8'), { tagColumn: 3 });
      expect(dataset.sentences).toHaveLength(card.training.test_data.sentences);

      const model = await context.pool.get('ner-en');
      if (model.kind !== 'in-house-tagger') throw new Error(`ner-en loaded as ${model.kind}`);
      const report = await evaluateTaggerPipeline(model.pipeline, dataset.sentences);

      expect(report.overall.f1).toBeCloseTo(card.metrics.test.overall.f1, 6);
      for (const type of ['PER', 'LOC', 'ORG', 'MISC']) {
        expect(report.per_type[type]?.f1).toBeCloseTo(card.metrics.test.per_type[type].f1, 6);
      }
    }, 300_000);
  });

  if (!existsSync(validFile)) {
    console.warn(`skipping the CoNLL-2003 valid.txt check: ${validFile} not found`);
  }
});
