import { tf, withoutOrthogonalWarning } from '../../runtimes/tfjs/backend.js';
import { MaskedMeanPooling } from '../../runtimes/tfjs/layers.js';
import {
  buildTextCnnClassifier,
  buildTransformerClassifier,
  classifier,
  embedding,
} from './encoder-models.js';
import type { ClassifierHyperparameters } from './hyperparameters.js';

/** Builds the classifier of `hyperparameters.architecture`. */
export function buildClassifier(
  hyperparameters: ClassifierHyperparameters,
  vocabularySize: number,
  labelCount: number,
): tf.LayersModel {
  switch (hyperparameters.architecture) {
    case 'fasttext':
      return buildBagOfNgramsClassifier(hyperparameters, vocabularySize, labelCount);
    case 'textcnn':
      return buildTextCnnClassifier(hyperparameters, vocabularySize, labelCount);
    case 'transformer':
      return buildTransformerClassifier(hyperparameters, vocabularySize, labelCount);
    default:
      return buildLstmClassifier(hyperparameters, vocabularySize, labelCount);
  }
}

/**
 * Builds Embedding → masked mean → Dropout → Dense softmax, the fastText classifier with
 * dropout. The tokenizer supplies the n-gram features.
 */
export function buildBagOfNgramsClassifier(
  hyperparameters: ClassifierHyperparameters,
  vocabularySize: number,
  labelCount: number,
): tf.LayersModel {
  const { embeddingDim, dropout, seed } = hyperparameters;
  const model = tf.sequential({ name: 'fasttext_classifier' });
  model.add(embedding(vocabularySize, embeddingDim, seed));
  model.add(new MaskedMeanPooling({ name: 'mean_pooling' }));
  model.add(tf.layers.dropout({ rate: dropout, seed: seed + 3, name: 'dropout' }));
  model.add(classifier(labelCount, seed + 6));
  return model;
}

/**
 * Builds Embedding → LSTM (returning sequences) → Dropout → LSTM → Dense softmax, with each
 * LSTM bidirectional for the `bilstm` architecture, and GRU or simple RNN layers in place of
 * the LSTMs for `gru` and `rnn`. Id 0 is padding: the embedding emits a
 * mask so both LSTMs skip padded steps. Every initializer and the dropout take seeds derived
 * from `seed`, so a run is repeatable.
 */
export function buildLstmClassifier(
  hyperparameters: ClassifierHyperparameters,
  vocabularySize: number,
  labelCount: number,
): tf.LayersModel {
  return withoutOrthogonalWarning(() => build(hyperparameters, vocabularySize, labelCount));
}

function build(
  hyperparameters: ClassifierHyperparameters,
  vocabularySize: number,
  labelCount: number,
): tf.LayersModel {
  const { embeddingDim, units, dropout, inputDropout, seed } = hyperparameters;
  const model = tf.sequential({ name: `${hyperparameters.architecture}_classifier` });
  model.add(embedding(vocabularySize, embeddingDim, seed));
  const recurrent = (
    returnSequences: boolean,
    layerSeed: number,
    name: string,
  ): tf.layers.Layer => {
    const { architecture } = hyperparameters;
    let cell: 'lstm' | 'gru' | 'rnn' = 'lstm';
    if (architecture === 'gru' || architecture === 'rnn') cell = architecture;
    const layer = recurrentCell(cell, units, inputDropout, returnSequences, layerSeed, name);
    if (architecture !== 'bilstm') {
      return layer;
    }
    return tf.layers.bidirectional({
      layer: layer as unknown as tf.layers.RNN,
      mergeMode: 'concat',
      name: `bidirectional_${name}`,
    }) as unknown as tf.layers.Layer;
  };
  const prefix = { gru: 'gru', rnn: 'rnn' }[hyperparameters.architecture as string] ?? 'lstm';
  model.add(recurrent(true, seed + 1, `${prefix}_1`));
  model.add(tf.layers.dropout({ rate: dropout, seed: seed + 3, name: 'dropout' }));
  model.add(recurrent(false, seed + 4, `${prefix}_2`));
  model.add(classifier(labelCount, seed + 6));
  return model;
}

function recurrentCell(
  cell: 'lstm' | 'gru' | 'rnn',
  units: number,
  inputDropout: number,
  returnSequences: boolean,
  seed: number,
  name: string,
): tf.layers.Layer {
  const common = {
    units,
    returnSequences,
    dropout: inputDropout,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
    name,
  };
  switch (cell) {
    case 'gru':
      return tf.layers.gru(common) as unknown as tf.layers.Layer;
    case 'rnn':
      return tf.layers.simpleRNN(common) as unknown as tf.layers.Layer;
    default:
      return tf.layers.lstm({
        ...common,
        // Keras' default; tfjs-layers 4.22 defaults to false. A forget-gate bias of 1 keeps
        // early gradients flowing through long sequences.
        unitForgetBias: true,
      }) as unknown as tf.layers.Layer;
  }
}
