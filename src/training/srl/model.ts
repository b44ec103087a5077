import { tf, withoutOrthogonalWarning } from '../../runtimes/tfjs/backend.js';

/** Settings of a semantic role labeling tagger training run. */
export interface SrlHyperparameters {
  /** Width of the word embedding. */
  embeddingDim: number;
  /** Width of the predicate-indicator embedding, concatenated to the word embedding. */
  predicateEmbeddingDim: number;
  /** Units of each direction of every BiLSTM layer. */
  units: number;
  /** Stacked BiLSTM layers. */
  layers: number;
  dropout: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Epochs without a better validation argument F1 before training stops. */
  patience: number;
  /** Maximum tokens per sequence; training drops the tokens past it. */
  maxLength: number;
  minCount: number;
  vocabularySize: number;
  clipNorm: number;
  seed: number;
}

/** Defaults of `maas train --task semantic-role-labeling`; each flag overrides one. */
export const DEFAULT_SRL_HYPERPARAMETERS: Readonly<SrlHyperparameters> = Object.freeze({
  embeddingDim: 100,
  predicateEmbeddingDim: 16,
  units: 128,
  layers: 2,
  dropout: 0.3,
  learningRate: 0.003,
  batchSize: 32,
  epochs: 20,
  patience: 3,
  maxLength: 200,
  minCount: 2,
  vocabularySize: 30_000,
  clipNorm: 5,
  seed: 42,
});

/** Names of the tfjs layers, which the ONNX exporter looks up. */
export const SRL_LAYER_NAMES = {
  wordEmbedding: 'word_embedding',
  predicateEmbedding: 'predicate_embedding',
  concatenate: 'word_and_predicate',
  bidirectional: (index: number): string => `bidirectional_lstm_${index + 1}`,
  dropout: (index: number): string => `dropout_${index + 1}`,
  emissions: 'roles',
} as const;

/**
 * Builds the tagger with two inputs: word ids (0 is padding and masked) and the predicate
 * indicator plus 1 (1 or 2 per token, 0 on padding, as `padSrlBatch` shifts it). Each goes
 * through its own Embedding, and the two are concatenated per token. Then come `layers`
 * BiLSTMs, each followed by Dropout, and a Dense softmax over the roles of every token.
 */
export function buildSrlTagger(
  hyperparameters: SrlHyperparameters,
  vocabularySize: number,
  roleCount: number,
): tf.LayersModel {
  const { embeddingDim, predicateEmbeddingDim, units, layers, dropout, seed } = hyperparameters;
  return withoutOrthogonalWarning(() => {
    const ids = tf.input({ shape: [null] as unknown as number[], dtype: 'int32', name: 'ids' });
    const indicator = tf.input({
      shape: [null] as unknown as number[],
      dtype: 'int32',
      name: 'indicator',
    });
    const words = tf.layers
      .embedding({
        inputDim: vocabularySize,
        outputDim: embeddingDim,
        maskZero: true,
        embeddingsInitializer: tf.initializers.randomUniform({
          minval: -0.05,
          maxval: 0.05,
          seed,
        }),
        name: SRL_LAYER_NAMES.wordEmbedding,
      })
      .apply(ids) as tf.SymbolicTensor;
    // Row 0 is padding, row 1 a token that is not the predicate and row 2 the predicate. The
    // padding row gives this branch the same mask as the word branch, so Concatenate needs
    // no all-true mask built from the embedding output, whose gradient tfjs 4.22 lacks.
    const predicate = tf.layers
      .embedding({
        inputDim: 3,
        maskZero: true,
        outputDim: predicateEmbeddingDim,
        embeddingsInitializer: tf.initializers.randomUniform({
          minval: -0.05,
          maxval: 0.05,
          seed: seed + 1,
        }),
        name: SRL_LAYER_NAMES.predicateEmbedding,
      })
      .apply(indicator) as tf.SymbolicTensor;
    let value = tf.layers
      .concatenate({ axis: -1, name: SRL_LAYER_NAMES.concatenate })
      .apply([words, predicate]) as tf.SymbolicTensor;
    for (let index = 0; index < layers; index++) {
      const layerSeed = seed + 10 * (index + 1);
      const lstm = tf.layers.lstm({
        units,
        returnSequences: true,
        unitForgetBias: true,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: layerSeed + 1 }),
        name: `lstm_${index + 1}`,
      });
      value = tf.layers
        .bidirectional({
          layer: lstm as unknown as tf.layers.RNN,
          mergeMode: 'concat',
          name: SRL_LAYER_NAMES.bidirectional(index),
        })
        .apply(value) as tf.SymbolicTensor;
      value = tf.layers
        .dropout({ rate: dropout, seed: layerSeed + 2, name: SRL_LAYER_NAMES.dropout(index) })
        .apply(value) as tf.SymbolicTensor;
    }
    const roles = tf.layers
      .dense({
        units: roleCount,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 5 }),
        name: SRL_LAYER_NAMES.emissions,
      })
      .apply(value) as tf.SymbolicTensor;
    return tf.model({ inputs: [ids, indicator], outputs: roles, name: 'srl_bilstm_tagger' });
  });
}
