import { describe, expect, it } from 'vitest';
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import { resolveHyperparameters } from '../../../src/training/classification/hyperparameters.js';
import { MaskedMeanPooling } from '../../../src/runtimes/tfjs/layers.js';
import {
  buildBagOfNgramsClassifier,
  buildClassifier,
  buildLstmClassifier,
} from '../../../src/training/classification/model.js';

/** Scores of one row of ids, padded at the end with `padding` zeros. */
function score(model: tf.LayersModel, ids: number[], padding: number): number[] {
  const row = [...ids, ...new Array<number>(padding).fill(0)];
  return tf.tidy(() => {
    const output = model.predict(tf.tensor2d([row], [1, row.length], 'int32')) as tf.Tensor;
    return Array.from(output.dataSync());
  });
}

describe.each(['lstm', 'bilstm', 'gru', 'rnn'] as const)('%s classifier', (architecture) => {
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
      .map((layer) => `${layer.getClassName()}:${layer.name}`)
      .filter((name) => !/^(Embedding|Dropout|Dense):/.test(name));
    const expected = {
      lstm: ['LSTM:lstm_1', 'LSTM:lstm_2'],
      bilstm: ['Bidirectional:bidirectional_lstm_1', 'Bidirectional:bidirectional_lstm_2'],
      gru: ['GRU:gru_1', 'GRU:gru_2'],
      rnn: ['SimpleRNN:rnn_1', 'SimpleRNN:rnn_2'],
    }[architecture];
    expect(recurrent).toEqual(expected);
    model.dispose();
  });
});

describe('fasttext classifier', () => {
  const hyperparameters = resolveHyperparameters({ architecture: 'fasttext', embeddingDim: 4 });

  it('is built for the fasttext architecture', async () => {
    await useWasmBackend();
    const model = buildClassifier(hyperparameters, 50, 2);
    expect(model.layers.map((layer) => layer.name)).toEqual([
      ...['embedding', 'mean_pooling', 'dropout', 'classifier'],
    ]);
    model.dispose();
  });

  it('ignores padding at the end and the order of features', async () => {
    await useWasmBackend();
    const model = buildBagOfNgramsClassifier(hyperparameters, 50, 3);
    const alone = score(model, [5, 9, 13, 2], 0);
    const padded = score(model, [13, 2, 9, 5], 300);
    padded.forEach((value, index) => expect(value).toBeCloseTo(alone[index] as number, 5));
    model.dispose();
  });

  it('averages the embeddings of unmasked steps', async () => {
    await useWasmBackend();
    const model = buildBagOfNgramsClassifier(hyperparameters, 10, 2);
    const embeddings = model.getLayer('embedding').getWeights()[0] as tf.Tensor;
    const pooled = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('mean_pooling').output,
    });
    const rows = tf.tensor2d(
      [
        [3, 4, 0, 0],
        [0, 0, 0, 0],
      ],
      [2, 4],
      'int32',
    );
    const [withTokens, empty] = (pooled.predict(rows) as tf.Tensor).arraySync() as number[][];
    const table = embeddings.arraySync() as number[][];
    const expected = (table[3] as number[]).map(
      (value, i) => (value + (table[4] as number[])[i]!) / 2,
    );
    withTokens?.forEach((value, i) => expect(value).toBeCloseTo(expected[i] as number, 6));
    expect(empty).toEqual([0, 0, 0, 0]);
    rows.dispose();
    model.dispose();
  });

  it('round-trips through the layer registry', () => {
    const layer = new MaskedMeanPooling({ name: 'pool' });
    const restored = tf.serialization.SerializationMap.getMap().classNameMap['MaskedMeanPooling'];
    expect(restored?.[0]).toBe(MaskedMeanPooling);
    expect(layer.getConfig()['name']).toBe('pool');
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
