import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';
import { loadGraph } from '../../src/runtimes/index.js';
import { readTokenizer } from '../../src/tasks/text-classification.js';
import { readLabeledSplits } from '../../src/training/labeled-file.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelDir = join(root, 'models', 'sentiment-zh');
const datasetFile = join(root, '..', 'shared', 'datasets', 'chnsenticorp', 'train.csv');
const card = JSON.parse(readFileSync(join(modelDir, 'model-card.json'), 'utf8'));

describe('bundled sentiment-zh', () => {
  let dataDir: string;
  let context: AppContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'maas-bundled-'));
    const { settings } = loadConfig({ env: { MAAS_DATA_DIR: dataDir }, file: undefined, cwd: dataDir });
    context = await openContext(settings, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await context.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is registered with production alias', async () => {
    const version = await context.registry.resolve('sentiment-zh');
    expect(version.version).toBe(1);
    expect(version.runtime).toBe('onnx');
    expect(version.aliases).toContain('production');
    expect(context.bundled).toContain('sentiment-zh@1');
  });

  it('model card names data and metrics', () => {
    expect(card.task).toBe('text-classification');
    expect(card.labels).toEqual(['negative', 'positive']);
    expect(card.training.source).toContain('ChnSentiCorp');
    expect(card.training.split.test_rows).toBeGreaterThan(600);
    expect(card.metrics.test.accuracy).toBeGreaterThanOrEqual(0.88);
    expect(card.reproduce).toBe('npm run train:sentiment-zh');
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
    expect(card.onnx_parity.rows_checked).toBe(card.training.split.validation_rows);
  });

  it('gives the same scores through ONNX Runtime as through tfjs', async () => {
    const texts = ['房间很干净，服务也很好', '房间很脏，服务太差了', '一般般吧😐', 'ok', '好'.repeat(3000)];
    const tokenizer = await readTokenizer(modelDir);
    const batch = tokenizer.encodeBatch(texts);
    const [onnxScores, tfjsScores] = await Promise.all(
      (['onnx', 'tfjs'] as const).map(async (runtime) => {
        const graph = await loadGraph(runtime, modelDir);
        try {
          return await graph.run(batch);
        } finally {
          graph.dispose();
        }
      }),
    );
    onnxScores?.forEach((value, index) => {
      expect(Math.abs(value - (tfjsScores?.[index] as number))).toBeLessThan(1e-4);
    });
  });

  it('classifies clear reviews', async () => {
    const model = await context.pool.getInHouse('sentiment-zh');
    const [positive, negative] = await model.pipeline.predict(
      ['房间很干净，服务也很好', '房间很脏，服务太差了，再也不来了'],
      { topK: null },
    );
    expect(positive?.[0]?.label).toBe('positive');
    expect(negative?.[0]?.label).toBe('negative');
    expect((positive?.[0]?.score ?? 0) + (positive?.[1]?.score ?? 0)).toBeCloseTo(1, 5);
  });

  describe.skipIf(!existsSync(datasetFile))('held-out ChnSentiCorp part', () => {
    it('reproduces the test accuracy of the card', async () => {
      const { split } = card.training;
      const splits = await readLabeledSplits(
        datasetFile,
        { labelNames: card.training.label_names, testFraction: split.test_fraction },
        split.seed,
      );
      expect(splits.test).toHaveLength(split.test_rows);

      const model = await context.pool.getInHouse('sentiment-zh');
      let correct = 0;
      for (let start = 0; start < splits.test.length; start += 64) {
        const rows = splits.test.slice(start, start + 64);
        const results = await model.pipeline.predict(rows.map((row) => row.text));
        results.forEach((result, index) => {
          if (result[0]?.label === rows[index]?.label) correct++;
        });
      }
      const accuracy = correct / splits.test.length;
      expect(accuracy).toBeCloseTo(card.metrics.test.accuracy, 6);
    }, 120_000);

    it('matches tfjs labels on held-out rows', async () => {
      const { split } = card.training;
      const splits = await readLabeledSplits(
        datasetFile,
        { labelNames: card.training.label_names, testFraction: split.test_fraction },
        split.seed,
      );
      const tokenizer = await readTokenizer(modelDir);
      const graphs = await Promise.all(
        (['onnx', 'tfjs'] as const).map((runtime) => loadGraph(runtime, modelDir)),
      );
      let disagreements = 0;
      try {
        for (let start = 0; start < splits.test.length; start += 64) {
          const batch = tokenizer.encodeBatch(
            splits.test.slice(start, start + 64).map((row) => row.text),
          );
          const [onnxScores, tfjsScores] = await Promise.all(graphs.map((g) => g.run(batch)));
          for (let row = 0; row < batch.batchSize; row++) {
            const onnxLabel = Number(onnxScores![row * 2 + 1]! > onnxScores![row * 2]!);
            const tfjsLabel = Number(tfjsScores![row * 2 + 1]! > tfjsScores![row * 2]!);
            if (onnxLabel !== tfjsLabel) disagreements++;
          }
        }
      } finally {
        graphs.forEach((graph) => graph.dispose());
      }
      expect(disagreements).toBe(0);
    }, 120_000);
  });

  if (!existsSync(datasetFile)) {
    console.warn(`skipping the held-out accuracy check: ${datasetFile} not found`);
  }
});
