import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import type { ClassificationReadOptions } from '../../src/training/datasets/index.js';
import { readLabeledSplits } from '../../src/training/labeled-file.js';
import { expectBundledRegistration, openBundledContext, type BundledContext } from './bundled-context.js';

/** Largest size of a bundled model folder, in bytes. */
export const MAX_BUNDLED_MODEL_BYTES = 10 * 1000 * 1000;

/** Files of a bundled classifier folder; the server runs model.onnx, so tfjs files stay out. */
const BUNDLED_FILES = ['README.md', 'model-card.json', 'model.onnx', 'tokenizer.json'];

export interface BundledClassifierSpec {
  name: string;
  labels: string[];
  /** Text that the card's training source names. */
  source: string;
  /** Lowest held-out accuracy that the card may report. */
  minTestAccuracy: number;
  /** Training file, relative to the data set folder. */
  trainFile: string;
  /** Held-out file when it is not a part of the training file, relative to the same folder. */
  testFile?: string;
  /** Options to read the files with, besides the card's label names. */
  readOptions?: ClassificationReadOptions;
  /** Texts with the label the model must give them. */
  examples: [text: string, label: string][];
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const datasetsDir = join(root, '..', 'shared', 'datasets');

interface Card {
  task: string;
  runtime: string;
  labels: string[];
  reproduce: string;
  notes: string[];
  training: {
    source: string;
    label_names: Record<string, string> | null;
    hyperparameters: { embeddingDtype?: string };
    split: {
      seed: number;
      test_fraction: number;
      validation_rows: number;
      test_rows: number;
      test_file: { file: string } | null;
    };
  };
  metrics: { test: { accuracy: number; examples: number } };
  onnx_parity: { max_abs_diff: number; rows_checked: number };
}

/** Declares the tests of one bundled text classifier in `models/<name>`. */
export function describeBundledClassifier(spec: BundledClassifierSpec): void {
  const modelDir = join(root, 'models', spec.name);
  const card = JSON.parse(readFileSync(join(modelDir, 'model-card.json'), 'utf8')) as Card;
  const trainFile = join(datasetsDir, spec.trainFile);
  const testFile = spec.testFile === undefined ? undefined : join(datasetsDir, spec.testFile);
  const datasetsPresent = existsSync(trainFile) && (testFile === undefined || existsSync(testFile));

  describe(`bundled ${spec.name}`, () => {
    let bundled: BundledContext | undefined;
    let context: AppContext;

    beforeAll(async () => {
      bundled = await openBundledContext(spec.name);
      context = bundled.context;
    });

    afterAll(async () => {
      await bundled?.close();
    });

    it('is registered with production alias', async () => {
      await expectBundledRegistration(context, spec.name);
    });

    it('model card names data and metrics', () => {
      expect(card.task).toBe('text-classification');
      expect(card.labels).toEqual(spec.labels);
      expect(card.training.source).toContain(spec.source);
      expect(card.metrics.test.accuracy).toBeGreaterThanOrEqual(spec.minTestAccuracy);
      expect(card.metrics.test.examples).toBe(card.training.split.test_rows);
      expect(card.reproduce).toBe(`npm run train:${spec.name}`);
      expect(card.notes.length).toBeGreaterThan(0);
      expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
      expect(card.onnx_parity.rows_checked).toBe(card.training.split.validation_rows);
      expect(card.training.split.test_file?.file).toBe(
        spec.testFile === undefined ? undefined : spec.testFile.split('/').pop(),
      );
    });

    it('folder is under the size limit', () => {
      const files = readdirSync(modelDir).sort();
      expect(files).toEqual(BUNDLED_FILES);
      const bytes = files.reduce((sum, file) => sum + statSync(join(modelDir, file)).size, 0);
      expect(bytes).toBeLessThan(MAX_BUNDLED_MODEL_BYTES);
    });

    it('classifies clear examples', async () => {
      const model = await context.pool.getInHouse(spec.name);
      const results = await model.pipeline.predict(
        spec.examples.map(([text]) => text),
        { topK: null },
      );
      results.forEach((result, index) => {
        expect(result[0]?.label, spec.examples[index]?.[0]).toBe(spec.examples[index]?.[1]);
        const total = result.reduce((sum, entry) => sum + entry.score, 0);
        expect(total).toBeCloseTo(1, 5);
      });
    });

    describe.skipIf(!datasetsPresent)('held-out rows', () => {
      it('reproduce the test accuracy of the card', async () => {
        const { split } = card.training;
        const readOptions = {
          ...spec.readOptions,
          labelNames: card.training.label_names ?? undefined,
        };
        const rows =
          testFile === undefined
            ? (
                await readLabeledSplits(
                  trainFile,
                  { ...readOptions, testFraction: split.test_fraction },
                  split.seed,
                )
              ).test
            : (await readLabeledSplits(testFile, readOptions, split.seed)).rest;
        expect(rows).toHaveLength(split.test_rows);

        const model = await context.pool.getInHouse(spec.name);
        let correct = 0;
        for (let start = 0; start < rows.length; start += 64) {
          const batch = rows.slice(start, start + 64);
          const results = await model.pipeline.predict(batch.map((row) => row.text));
          results.forEach((result, index) => {
            if (result[0]?.label === batch[index]?.label) correct++;
          });
        }
        expect(correct / rows.length).toBeCloseTo(card.metrics.test.accuracy, 6);
      }, 300_000);
    });

    if (!datasetsPresent) {
      console.warn(
        `skipping the held-out accuracy check of ${spec.name}: ${spec.trainFile}` +
          `${spec.testFile === undefined ? '' : ` or ${spec.testFile}`} not found in ${datasetsDir}`,
      );
    }
  });
}
