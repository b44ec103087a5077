import { tf } from '../../runtimes/tfjs/backend.js';
import {
  MaskedConv1D,
  MaskedMaxPooling,
  MaskedMeanPooling,
  MultiHeadSelfAttention,
  PositionEmbedding,
  ResidualAdd,
} from '../../runtimes/tfjs/layers.js';
import type { ClassifierHyperparameters } from './hyperparameters.js';

/**
 * Builds the `textcnn` classifier of Kim (2014), "Convolutional Neural Networks for Sentence
 * Classification": Embedding → for each kernel size, Conv1D with relu and a max over the
 * unmasked steps → concatenation → Dropout → Dense softmax. Id 0 is padding; the
 * convolutions see zeros there and the max skips it, so padding does not change a row's
 * scores.
 */
export function buildTextCnnClassifier(
  hyperparameters: ClassifierHyperparameters,
  vocabularySize: number,
  labelCount: number,
): tf.LayersModel {
  const { embeddingDim, units, kernelSizes, dropout, seed } = hyperparameters;
  const ids = tf.input({ shape: [null] as unknown as number[], dtype: 'int32', name: 'ids' });
  const embedded = embedding(vocabularySize, embeddingDim, seed).apply(ids) as tf.SymbolicTensor;
  const pooled = kernelSizes.map((kernelSize, index) => {
    const convolution = new MaskedConv1D({
      filters: units,
      kernelSize,
      seed: seed + 10 + index,
      name: `conv_${kernelSize}`,
    });
    const maxPooling = new MaskedMaxPooling({ name: `max_pooling_${kernelSize}` });
    return maxPooling.apply(convolution.apply(embedded)) as tf.SymbolicTensor;
  });
  const features =
    pooled.length === 1
      ? (pooled[0] as tf.SymbolicTensor)
      : (tf.layers
          .concatenate({ axis: -1, name: 'concatenate' })
          .apply(pooled) as tf.SymbolicTensor);
  const output = classifier(labelCount, seed + 6).apply(
    tf.layers.dropout({ rate: dropout, seed: seed + 3, name: 'dropout' }).apply(features),
  ) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: output, name: 'textcnn_classifier' });
}

/**
 * Builds the `transformer` classifier: Embedding plus a learned position embedding for up to
 * `maxLength` steps → `encoderLayers` post-norm encoder layers as in Vaswani et al. (2017),
 * "Attention Is All You Need" (self-attention and a relu feed-forward network of width
 * `units`, each followed by Dropout, a residual connection and LayerNormalization) → mean
 * over the unmasked steps → Dropout → Dense softmax. Attention skips padded keys and the mean
 * skips padded steps, so padding does not change a row's scores.
 */
export function buildTransformerClassifier(
  hyperparameters: ClassifierHyperparameters,
  vocabularySize: number,
  labelCount: number,
): tf.LayersModel {
  const { embeddingDim, units, encoderLayers, attentionHeads, dropout, maxLength, seed } =
    hyperparameters;
  const ids = tf.input({ shape: [null] as unknown as number[], dtype: 'int32', name: 'ids' });
  let sequence = embedding(vocabularySize, embeddingDim, seed).apply(ids) as tf.SymbolicTensor;
  // Training pads every batch to at least 2 steps, so even maxLength 1 needs 2 positions.
  const maxPositions = Math.max(maxLength, 2);
  sequence = new PositionEmbedding({
    maxPositions,
    seed: seed + 1,
    name: 'position_embedding',
  }).apply(sequence) as tf.SymbolicTensor;

  for (let layer = 1; layer <= encoderLayers; layer++) {
    const layerSeed = seed + 100 * layer;
    const prefix = `encoder_${layer}`;
    const attention = new MultiHeadSelfAttention({
      heads: attentionHeads,
      seed: layerSeed,
      name: `${prefix}_attention`,
    }).apply(sequence) as tf.SymbolicTensor;
    sequence = residual(sequence, attention, dropout, layerSeed + 10, `${prefix}_attention`);

    const hidden = tf.layers
      .dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed + 20 }),
        name: `${prefix}_feed_forward_1`,
      })
      .apply(sequence) as tf.SymbolicTensor;
    const projected = tf.layers
      .dense({
        units: embeddingDim,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed + 21 }),
        name: `${prefix}_feed_forward_2`,
      })
      .apply(hidden) as tf.SymbolicTensor;
    sequence = residual(sequence, projected, dropout, layerSeed + 30, `${prefix}_feed_forward`);
  }

  const pooled = new MaskedMeanPooling({ name: 'mean_pooling' }).apply(sequence);
  const output = classifier(labelCount, seed + 6).apply(
    tf.layers.dropout({ rate: dropout, seed: seed + 3, name: 'dropout' }).apply(pooled),
  ) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: output, name: 'transformer_classifier' });
}

/** LayerNormalization(input + Dropout(sublayer)), the post-norm residual connection. */
function residual(
  input: tf.SymbolicTensor,
  sublayer: tf.SymbolicTensor,
  dropout: number,
  seed: number,
  prefix: string,
): tf.SymbolicTensor {
  const dropped = tf.layers
    .dropout({ rate: dropout, seed, name: `${prefix}_dropout` })
    .apply(sublayer) as tf.SymbolicTensor;
  const sum = new ResidualAdd({ name: `${prefix}_residual` }).apply([input, dropped]);
  return tf.layers
    .layerNormalization({ axis: -1, epsilon: 1e-6, name: `${prefix}_norm` })
    .apply(sum) as tf.SymbolicTensor;
}

/** Embedding of ids of any length; id 0 is padding and masked. */
export function embedding(
  vocabularySize: number,
  embeddingDim: number,
  seed: number,
): tf.layers.Layer {
  return tf.layers.embedding({
    inputDim: vocabularySize,
    outputDim: embeddingDim,
    inputShape: [null] as unknown as number[],
    maskZero: true,
    embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
    name: 'embedding',
  });
}

/** Dense softmax over the labels. */
export function classifier(labelCount: number, seed: number): tf.layers.Layer {
  return tf.layers.dense({
    units: labelCount,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    name: 'classifier',
  });
}
