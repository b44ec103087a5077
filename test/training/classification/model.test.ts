import { describe, expect, it } from 'vitest';
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import { resolveHyperparameters } from '../../../src/training/classification/hyperparameters.js';
import { buildLstmClassifier } from '../../../src/training/classification/model.js';

/** Scores of one row of ids, padded at the end with `padding` zeros. */
function score(model: tf.LayersModel, ids: number[], padding: number): number[] {
  const row = [...ids, ...new Array<number>(padding).fill(0)];
  return tf.tidy(() => {
    const output = model.predict(tf.tensor2d([row], [1, row.length], 'int32')) as tf.Tensor;
    return Array.from(output.dataSync());
  });
}

describe.each(['lstm', 'bilstm'] as const)('%s classifier', (architecture) => {
  const hyperparameters = resolveHyperparameters({ architecture, embeddingDim: 8, units: 8 });

  it('ignores padding at the end', async () => {
    await useWasmBackend();
    const model = buildLstmClassifier(hyperparameters, 50, 3);
    const alone = score(model, [5, 9, 13, 2], 0);
    const padded = score(model, [5, 9, 13, 2], 11);
    padded.forEach((value, index) => expect(value).toBeCloseTo(alone[index] as number, 5));
    model.dispose();
  });

  it('outputs one probability per label', async () => {
    await useWasmBackend();
    const model = buildLstmClassifier(hyperparameters, 50, 3);
    const scores = score(model, [7, 8], 0);
    expect(scores).toHaveLength(3);
    expect(scores.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('names the layers by architecture', async () => {
    await useWasmBackend();
    const model = buildLstmClassifier(hyperparameters, 50, 3);
    const recurrent = model.layers
      .map((layer) => layer.name)
      .filter((name) => name.includes('lstm'));
    const expected =
      architecture === 'lstm'
        ? ['lstm_1', 'lstm_2']
        : ['bidirectional_lstm_1', 'bidirectional_lstm_2'];
    expect(recurrent).toEqual(expected);
    model.dispose();
  });
});

describe('training on one-token texts', () => {
  it('finishes an epoch', async () => {
    const { trainTextClassifier } = await import('../../../src/training/classification/train.js');
    const rows = Array.from({ length: 40 }, (_, i) => ({
      text: i % 2 === 0 ? '好评' : '差评',
      label: i % 2 === 0 ? 'positive' : 'negative',
    }));
    const hyperparameters = resolveHyperparameters({
      epochs: 1,
      minCount: 1,
      embeddingDim: 8,
      units: 8,
    });
    const trained = await trainTextClassifier({
      train: rows,
      validation: rows.slice(0, 4),
      labels: ['negative', 'positive'],
      hyperparameters,
    });
    expect(trained.history).toHaveLength(1);
    trained.model.dispose();
  });
});
