import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxGraph } from '../../../src/runtimes/onnx/session.js';
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import type { LoadedGraph } from '../../../src/runtimes/index.js';
import {
  CLASSIFIER_ARCHITECTURES,
  type ClassifierArchitecture,
} from '../../../src/training/classification/hyperparameters.js';
import {
  trainTextClassifier,
  type TrainedClassifier,
} from '../../../src/training/classification/train.js';
import { roundEmbeddingsToFloat16 } from '../../../src/training/classification/pipeline.js';
import { exportClassifierToOnnx } from '../../../src/training/onnx-export/classifier.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/util/float16.js';
import { REVIEW_LABELS, syntheticReviews, tinyHyperparameters } from '../synthetic-reviews.js';

/** Texts of very different lengths, with an empty one, emoji and unknown words. */
const TEXTS = [
  '房间很好',
  '',
  '服务很差，房间很脏，早餐难吃，前台冷漠，位置糟糕，价格失望，环境吵闹，床讨厌',
  '好',
  '😋👍🏽 great 房间 ok',
  '前台热情'.repeat(40),
];

function tfjsScores(model: tf.LayersModel, ids: Int32Array, rows: number, columns: number) {
  return tf.tidy(() =>
    Array.from((model.predict(tf.tensor2d(ids, [rows, columns], 'int32')) as tf.Tensor).dataSync()),
  );
}

describe.each(CLASSIFIER_ARCHITECTURES)('ONNX export of %s', (architecture) => {
  let trained: TrainedClassifier;
  let graph: LoadedGraph;
  let dir: string;

  beforeAll(async () => {
    await useWasmBackend();
    trained = await trainTextClassifier({
      train: syntheticReviews(96, 1),
      validation: syntheticReviews(32, 2),
      labels: REVIEW_LABELS,
      hyperparameters: tinyHyperparameters({
        architecture: architecture as ClassifierArchitecture,
        maxLength: architecture === 'fasttext' ? 400 : 48,
        epochs: 3,
      }),
    });
    dir = mkdtempSync(join(tmpdir(), `maas-onnx-${architecture}-`));
    writeFileSync(join(dir, 'model.onnx'), exportClassifierToOnnx(trained.model));
    graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  }, 60_000);

  afterAll(() => {
    graph?.dispose();
    trained?.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches tfjs to 1e-4 on a padded batch of mixed lengths', async () => {
    const batch = trained.tokenizer.encodeBatch(TEXTS);
    expect(new Set(batch.lengths).size).toBe(TEXTS.length);
    expect(batch.lengths).toContain(0);
    const expected = tfjsScores(trained.model, batch.ids, batch.batchSize, batch.sequenceLength);
    const actual = await graph.run(batch);
    expect(actual).toHaveLength(TEXTS.length * REVIEW_LABELS.length);
    actual.forEach((value, index) => {
      expect(Math.abs(value - (expected[index] as number))).toBeLessThan(1e-4);
    });
    // The model has learned something, so the comparison is not between two constants.
    const spread = Math.max(...expected) - Math.min(...expected);
    expect(spread).toBeGreaterThan(0.05);
  });

  it('gives each row the scores it gets alone', async () => {
    const batch = trained.tokenizer.encodeBatch(TEXTS);
    const batched = await graph.run(batch);
    for (const [row, text] of TEXTS.entries()) {
      const alone = await graph.run(trained.tokenizer.encodeBatch([text]));
      alone.forEach((value, index) => {
        const inBatch = batched[row * REVIEW_LABELS.length + index] as number;
        expect(Math.abs(value - inBatch)).toBeLessThan(1e-5);
      });
    }
  });

  it('returns probabilities that sum to 1', async () => {
    const scores = await graph.run(trained.tokenizer.encodeBatch(TEXTS));
    for (let row = 0; row < TEXTS.length; row++) {
      expect((scores[row * 2] as number) + (scores[row * 2 + 1] as number)).toBeCloseTo(1, 5);
    }
  });
});

describe('exportClassifierToOnnx', () => {
  it('names a layer it cannot export', async () => {
    await useWasmBackend();
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [5] }),
        tf.layers.conv1d({ filters: 2, kernelSize: 2, name: 'conv' }),
      ],
    });
    expect(() => exportClassifierToOnnx(model)).toThrow(/Conv1D layer conv/);
    model.dispose();
  });
});

describe('ONNX export with a float16 embedding', () => {
  let trained: TrainedClassifier;
  let graph: LoadedGraph;
  let dir: string;
  let float32Bytes: number;
  let float16Model: Uint8Array;

  beforeAll(async () => {
    await useWasmBackend();
    trained = await trainTextClassifier({
      train: syntheticReviews(96, 1),
      validation: syntheticReviews(32, 2),
      labels: REVIEW_LABELS,
      hyperparameters: tinyHyperparameters({ architecture: 'fasttext', maxLength: 400, epochs: 3 }),
    });
    float32Bytes = exportClassifierToOnnx(trained.model).byteLength;
    roundEmbeddingsToFloat16(trained.model);
    float16Model = exportClassifierToOnnx(trained.model, { embeddingDtype: 'float16' });
    dir = mkdtempSync(join(tmpdir(), 'maas-onnx-float16-'));
    writeFileSync(join(dir, 'model.onnx'), float16Model);
    graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  }, 60_000);

  afterAll(() => {
    graph?.dispose();
    trained?.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the table as float16', () => {
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(float16Model);
    const table = model.graph?.initializer?.find(
      (tensor) => tensor.name === 'embedding.embeddings',
    );
    expect(table?.dataType).toBe(onnx.TensorProto.DataType.FLOAT16);
    const [rows, columns] = (table?.dims ?? []).map(Number);
    expect(table?.rawData?.byteLength).toBe((rows as number) * (columns as number) * 2);
    expect(float16Model.byteLength).toBeLessThan(float32Bytes * 0.6);
  });

  it('rounds the tfjs table to float16 values', () => {
    const layer = trained.model.getLayer('embedding');
    const values = (layer.getWeights()[0] as tf.Tensor).dataSync();
    expect(values.some((value) => value !== 0)).toBe(true);
    const unrounded = Array.from(values).filter(
      (value) => float16BitsToFloat32(float32ToFloat16Bits(value)) !== value,
    );
    expect(unrounded).toEqual([]);
  });

  it('matches the rounded tfjs model to 1e-4', async () => {
    const batch = trained.tokenizer.encodeBatch(TEXTS);
    const expected = tfjsScores(trained.model, batch.ids, batch.batchSize, batch.sequenceLength);
    const actual = await graph.run(batch);
    expect(actual).toHaveLength(TEXTS.length * REVIEW_LABELS.length);
    actual.forEach((value, index) => {
      expect(Math.abs(value - (expected[index] as number))).toBeLessThan(1e-4);
    });
  });
});
