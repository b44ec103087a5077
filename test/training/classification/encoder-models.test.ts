import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModel, saveLayersModel } from '../../../src/runtimes/tfjs/artifacts.js';
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import {
  MaskedConv1D,
  MaskedMaxPooling,
  MultiHeadSelfAttention,
  PositionEmbedding,
  ResidualAdd,
} from '../../../src/runtimes/tfjs/layers.js';
import { resolveHyperparameters } from '../../../src/training/classification/hyperparameters.js';
import { buildClassifier } from '../../../src/training/classification/model.js';

/** Scores of each row of `rows`, padded at the end with zeros to the longest plus `extra`. */
function scores(model: tf.LayersModel, rows: number[][], extra = 0): number[][] {
  const width = Math.max(1, ...rows.map((row) => row.length)) + extra;
  const ids = rows.flatMap((row) => [...row, ...new Array<number>(width - row.length).fill(0)]);
  return tf.tidy(() => {
    const input = tf.tensor2d(ids, [rows.length, width], 'int32');
    return (model.predict(input) as tf.Tensor).arraySync() as number[][];
  });
}

function expectClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, digits));
}

/** Rows of mixed lengths: empty, one token, shorter than the widest kernel, and long. */
const ROWS = [[], [7], [5, 9], [5, 9, 13, 2, 44, 3, 8, 8, 21, 17, 30, 1, 6], [12, 12, 12]];

describe.each(['textcnn', 'transformer'] as const)('%s classifier', (architecture) => {
  const hyperparameters = resolveHyperparameters({
    architecture,
    embeddingDim: 8,
    units: 8,
    maxLength: 32,
  });
  let model: tf.LayersModel;

  beforeAll(async () => {
    await useWasmBackend();
    model = buildClassifier(hyperparameters, 50, 3);
  });

  afterAll(() => model?.dispose());

  it('gives each row of a padded batch its scores alone', () => {
    const batched = scores(model, ROWS, 5);
    ROWS.forEach((row, index) => {
      const [alone] = scores(model, [row]);
      expectClose(batched[index] as number[], alone as number[]);
    });
  });

  it('ignores extra padding', () => {
    const [plain] = scores(model, [[5, 9, 13, 2]]);
    const [padded] = scores(model, [[5, 9, 13, 2]], 19);
    expectClose(padded as number[], plain as number[], 6);
  });

  it('outputs one probability per label', () => {
    for (const row of scores(model, ROWS)) {
      expect(row).toHaveLength(3);
      expect(row.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
    }
  });

  it('depends on the tokens', () => {
    const [first, second] = scores(model, [
      [5, 9, 13],
      [40, 41, 42],
    ]);
    const difference = Math.max(...(first as number[]).map((v, i) => Math.abs(v - second![i]!)));
    expect(difference).toBeGreaterThan(1e-4);
  });

  it('loads again from saved files', async () => {
    const dir = mkdtempSync(join(tmpdir(), `maas-${architecture}-`));
    try {
      await saveLayersModel(model, dir);
      const loaded = await loadLayersModel(dir);
      const expected = scores(model, ROWS);
      scores(loaded, ROWS).forEach((row, index) =>
        expectClose(row, expected[index] as number[], 6),
      );
      expect(loaded.layers.map((layer) => layer.getClassName())).toEqual(
        model.layers.map((layer) => layer.getClassName()),
      );
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('textcnn layout', () => {
  it('has one convolution and max per kernel size', async () => {
    await useWasmBackend();
    const hyperparameters = resolveHyperparameters({
      architecture: 'textcnn',
      embeddingDim: 4,
      units: 6,
      kernelSizes: [2, 5],
    });
    const model = buildClassifier(hyperparameters, 20, 2);
    const names = model.layers.map((layer) => `${layer.getClassName()}:${layer.name}`);
    expect(names).toEqual([
      'InputLayer:ids',
      'Embedding:embedding',
      'MaskedConv1D:conv_2',
      'MaskedConv1D:conv_5',
      'MaskedMaxPooling:max_pooling_2',
      'MaskedMaxPooling:max_pooling_5',
      'Concatenate:concatenate',
      'Dropout:dropout',
      'Dense:classifier',
    ]);
    expect(model.getLayer('conv_5').getWeights()[0]?.shape).toEqual([5, 4, 6]);
    expect(model.getLayer('classifier').getWeights()[0]?.shape).toEqual([12, 2]);
    model.dispose();
  });
});

describe('transformer layout', () => {
  it('stacks the requested encoder layers', async () => {
    await useWasmBackend();
    const hyperparameters = resolveHyperparameters({
      architecture: 'transformer',
      embeddingDim: 8,
      units: 16,
      encoderLayers: 3,
      attentionHeads: 2,
      maxLength: 10,
    });
    const model = buildClassifier(hyperparameters, 20, 2);
    const attention = model.layers.filter(
      (layer) => layer.getClassName() === 'MultiHeadSelfAttention',
    );
    expect(attention.map((layer) => layer.name)).toEqual([
      'encoder_1_attention',
      'encoder_2_attention',
      'encoder_3_attention',
    ]);
    expect(model.getLayer('position_embedding').getWeights()[0]?.shape).toEqual([10, 8]);
    expect(model.getLayer('encoder_2_feed_forward_1').getWeights()[0]?.shape).toEqual([8, 16]);
    model.dispose();
  });
});

describe('MaskedMaxPooling', () => {
  it('takes the max over unmasked steps only', async () => {
    await useWasmBackend();
    const ids = tf.input({ shape: [null] as unknown as number[], dtype: 'int32' });
    const embedded = tf.layers
      .embedding({
        inputDim: 4,
        outputDim: 2,
        maskZero: true,
        weights: [
          tf.tensor2d([
            [9, 9],
            [1, -2],
            [3, -5],
            [-1, -1],
          ]),
        ],
      })
      .apply(ids);
    const pooled = new MaskedMaxPooling().apply(embedded) as tf.SymbolicTensor;
    const model = tf.model({ inputs: ids, outputs: pooled });
    const output = tf.tidy(() =>
      (
        model.predict(
          tf.tensor2d(
            [
              [1, 2, 0],
              [3, 0, 0],
              [0, 0, 0],
            ],
            [3, 3],
            'int32',
          ),
        ) as tf.Tensor
      ).arraySync(),
    );
    // Padding's embedding (9, 9) would win an unmasked max; an empty row gives zeros
    // (-0 from 0 times a negative max, so + 0 normalizes them for toEqual).
    expect((output as number[][]).map((row) => row.map((value) => value + 0))).toEqual([
      [3, -2],
      [-1, -1],
      [0, 0],
    ]);
    model.dispose();
  });
});

describe('MultiHeadSelfAttention', () => {
  it('rejects a width that the heads do not divide', async () => {
    await useWasmBackend();
    const input = tf.input({ shape: [null, 6] as unknown as number[] });
    expect(() => new MultiHeadSelfAttention({ heads: 4, name: 'attention' }).apply(input)).toThrow(
      /width 6 is not a multiple of 4 heads/,
    );
  });
});

describe('PositionEmbedding', () => {
  it('rejects a sequence longer than its table', async () => {
    await useWasmBackend();
    const layer = new PositionEmbedding({ maxPositions: 3, name: 'positions' });
    expect(() => tf.tidy(() => layer.apply(tf.zeros([1, 4, 2])) as tf.Tensor)).toThrow(
      /3 positions, but the sequence has 4 steps/,
    );
  });
});

describe('layer registry', () => {
  it.each([
    ['MaskedConv1D', MaskedConv1D],
    ['MaskedMaxPooling', MaskedMaxPooling],
    ['PositionEmbedding', PositionEmbedding],
    ['MultiHeadSelfAttention', MultiHeadSelfAttention],
    ['ResidualAdd', ResidualAdd],
  ])('knows %s', (className, layerClass) => {
    const registered = tf.serialization.SerializationMap.getMap().classNameMap[className];
    expect(registered?.[0]).toBe(layerClass);
  });
});
