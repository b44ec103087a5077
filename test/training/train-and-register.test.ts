import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { trainAndRegisterClassifier } from '../../src/training/train-and-register.js';
import {
  buildSentimentCsv,
  FIXTURE_HYPERPARAMETERS,
  LABEL_NAMES,
  makeTempDir,
  openTestContext,
  removeTempDir,
  writeSentimentCsv,
} from '../helpers/sentiment-fixture.js';

/** Rows of the separate test file: the first reviews of the fixture, which also trains. */
const TEST_FILE_ROWS = 40;

describe('trainAndRegisterClassifier with a test file', () => {
  let dir: string;
  let context: AppContext;
  let trainFile: string;
  let testFile: string;

  beforeAll(async () => {
    dir = await makeTempDir('test-file');
    context = await openTestContext(dir);
    trainFile = await writeSentimentCsv(dir);
    testFile = join(dir, 'held-out.csv');
    const lines = buildSentimentCsv().trim().split('\n');
    await writeFile(testFile, `${lines.slice(0, TEST_FILE_ROWS + 1).join('\n')}\n`);
  });

  afterAll(async () => {
    await context?.close();
    await removeTempDir(dir);
  });

  it('reports the whole file as the test part', async () => {
    const { version, result } = await trainAndRegisterClassifier(context, {
      file: trainFile,
      testFile,
      name: 'held-out',
      validationFraction: 0.2,
      labelNames: LABEL_NAMES,
      hyperparameters: { ...FIXTURE_HYPERPARAMETERS, embeddingDtype: 'float16' },
    });
    const card = version.modelCard as {
      training: {
        split: { test_rows: number; test_file: { file: string; sha256: string } | null };
        hyperparameters: { embeddingDtype: string };
      };
      metrics: { test: { examples: number } | null };
      onnx_parity: { max_abs_diff: number };
    };
    expect(card.training.split.test_rows).toBe(TEST_FILE_ROWS);
    expect(card.training.split.test_file?.file).toBe('held-out.csv');
    expect(card.training.split.test_file?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.metrics.test?.examples).toBe(TEST_FILE_ROWS);
    expect(result.testReport?.confusion_matrix.labels).toEqual(['negative', 'positive']);
    expect(card.training.hyperparameters.embeddingDtype).toBe('float16');
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
  }, 120_000);

  it('rejects a test file with a test split', async () => {
    await expect(
      trainAndRegisterClassifier(context, {
        file: trainFile,
        testFile,
        testFraction: 0.1,
        name: 'both-held-out',
        validationFraction: 0.2,
        labelNames: LABEL_NAMES,
        hyperparameters: FIXTURE_HYPERPARAMETERS,
      }),
    ).rejects.toMatchObject({ code: 'MAAS_ERR_TRAINING_INVALID', param: 'test_split' });
  });
});
