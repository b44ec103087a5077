import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { loadOnnxGraph } from '../../src/runtimes/onnx/session.js';
import { tf } from '../../src/runtimes/tfjs/backend.js';
import type { ClassifierArchitecture } from '../../src/training/classification/hyperparameters.js';
import { resolveHyperparameters } from '../../src/training/classification/hyperparameters.js';
import { argMax, trainTextClassifier } from '../../src/training/classification/train.js';
import { readLabeledSplits } from '../../src/training/labeled-file.js';
import { trainAndRegisterClassifier } from '../../src/training/train-and-register.js';
import {
  FIXTURE_HYPERPARAMETERS,
  LABEL_NAMES,
  NEGATIVE_TEXT,
  POSITIVE_TEXT,
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
  writeSentimentCsv,
} from '../helpers/sentiment-fixture.js';

const ARCHITECTURES = ['textcnn', 'transformer'] as const;
const root = fileURLToPath(new URL('../../', import.meta.url));
const chnSentiCorp = join(root, '..', 'shared', 'datasets', 'chnsenticorp', 'train.csv');

interface LabelScore {
  label: string;
  score: number;
}

describe.each(ARCHITECTURES)('maas train --architecture %s', (architecture) => {
  let dir: string;
  let context: AppContext;
  let server: Server;
  let baseUrl: string;
  let card: {
    architecture: string;
    parameters: number;
    training: {
      hyperparameters: { architecture: string };
      split: { validation_rows: number; test_rows: number };
    };
    metrics: { test: { accuracy: number } };
    onnx_parity: { max_abs_diff: number; rows_checked: number };
  };

  beforeAll(async () => {
    dir = await makeTempDir(`train-${architecture}`);
    const file = await writeSentimentCsv(dir);
    context = await openTestContext(dir);
    const { version } = await trainAndRegisterClassifier(context, {
      file,
      name: architecture,
      validationFraction: 0.2,
      testFraction: 0.2,
      labelNames: LABEL_NAMES,
      hyperparameters: { ...FIXTURE_HYPERPARAMETERS, architecture },
    });
    card = JSON.parse(readFileSync(join(version.dir, 'model-card.json'), 'utf8'));
    server = buildServer(context, silentLogger());
    baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);

  afterAll(async () => {
    await server?.app.close();
    await context?.close();
    if (dir !== undefined) await removeTempDir(dir);
  });

  it('records the architecture and its hyperparameters', () => {
    expect(card.architecture).toBe(architecture);
    expect(card.training.hyperparameters.architecture).toBe(architecture);
    expect(card.parameters).toBeGreaterThan(0);
  });

  it('passes the ONNX parity check', () => {
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
    expect(card.onnx_parity.rows_checked).toBe(card.training.split.validation_rows);
  });

  it('learns the held-out rows', () => {
    expect(card.training.split.test_rows).toBe(60);
    // The two labels are balanced, so chance is 50%.
    expect(card.metrics.test.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('predicts through the server', async () => {
    const response = await fetch(`${baseUrl}/v1/models/${architecture}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [POSITIVE_TEXT, NEGATIVE_TEXT, '好', '😊'] }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const [positive, negative, oneToken, emoji] = (await response.json()) as LabelScore[][];
    expect(positive?.[0]?.label).toBe('positive');
    expect(negative?.[0]?.label).toBe('negative');
    expect(oneToken?.[0]?.score).toBeGreaterThan(0);
    expect(emoji?.[0]?.score).toBeGreaterThan(0);
  });

  it('serves the ONNX graph', async () => {
    const version = await context.registry.resolve(architecture);
    expect(version.runtime).toBe('onnx');
    const graph = await loadOnnxGraph(version.dir);
    expect(graph.outputSize).toBe(2);
    graph.dispose();
  });
});

describe.skipIf(!existsSync(chnSentiCorp))('ChnSentiCorp slice', () => {
  // 700 reviews train, 100 validate and 200 are held out: 10 to 30 s per model.
  it.each(ARCHITECTURES)(
    '%s beats chance on held-out reviews',
    async (architecture: ClassifierArchitecture) => {
      const splits = await readLabeledSplits(chnSentiCorp, { testFraction: 0.2 }, 7);
      const rows = splits.test.slice(0, 1000);
      const [train, heldOut] = [rows.slice(0, 800), rows.slice(800)];
      const trained = await trainTextClassifier({
        train: train.slice(0, 700),
        validation: train.slice(700),
        labels: splits.labels,
        hyperparameters: resolveHyperparameters({
          architecture,
          embeddingDim: 32,
          units: 32,
          maxLength: 48,
          epochs: 4,
          minCount: 1,
          encoderLayers: 1,
          classWeighting: 'balanced',
          seed: 3,
        }),
      });
      try {
        const batch = trained.tokenizer.encodeBatch(heldOut.map((row) => row.text));
        const scores = tf.tidy(() =>
          (
            trained.model.predict(
              tf.tensor2d(batch.ids, [batch.batchSize, batch.sequenceLength], 'int32'),
            ) as tf.Tensor
          ).dataSync(),
        );
        // Balanced accuracy, the mean recall of the labels: 50% by chance whatever the label
        // shares, which are about 70/30 in ChnSentiCorp.
        const labelCount = splits.labels.length;
        const recalls = splits.labels.map((label) => {
          const rows = heldOut.flatMap((row, index) => (row.label === label ? [index] : []));
          const hits = rows.filter((index) => {
            const row = scores.subarray(index * labelCount, (index + 1) * labelCount);
            return splits.labels[argMax(row)] === label;
          });
          return hits.length / rows.length;
        });
        const balancedAccuracy = recalls.reduce((sum, recall) => sum + recall, 0) / labelCount;
        expect(balancedAccuracy).toBeGreaterThan(0.65);
      } finally {
        trained.model.dispose();
      }
    },
    120_000,
  );
});
