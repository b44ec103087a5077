import { tf, withoutOrthogonalWarning } from '../../runtimes/tfjs/backend.js';
import type { CrfWeights } from './crf.js';
import { WordFeatureEmbedding } from './word-feature-layer.js';
import {
  DEFAULT_WORD_FEATURE_HYPERPARAMETERS,
  featureWidth,
  wordFeatureConfig,
  type WordFeatureHyperparameters,
} from './word-features.js';

/**
 * Tagger architectures: `bilstm` predicts each token's tag with a softmax; `bilstm-crf`
 * scores tag sequences with a linear-chain CRF over the same network's emissions.
 */
export const TAGGER_ARCHITECTURES = ['bilstm', 'bilstm-crf'] as const;
export type TaggerArchitecture = (typeof TAGGER_ARCHITECTURES)[number];

/** Settings of a tagger training run. */
export interface TaggerHyperparameters extends WordFeatureHyperparameters {
  architecture: TaggerArchitecture;
  unit: 'character' | 'word';
  embeddingDim: number;
  /** Units of each direction of the BiLSTM. */
  units: number;
  dropout: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Epochs without a better validation F1 before training stops. */
  patience: number;
  /** Maximum tokens per training sequence; longer sentences are cut into pieces. */
  maxLength: number;
  minCount: number;
  vocabularySize: number;
  clipNorm: number;
  seed: number;
}

/** Defaults that train a usable tagger in minutes on two CPU cores. */
export const DEFAULT_TAGGER_HYPERPARAMETERS: Readonly<TaggerHyperparameters> = Object.freeze({
  architecture: 'bilstm-crf',
  unit: 'character',
  embeddingDim: 64,
  units: 128,
  dropout: 0.3,
  learningRate: 0.003,
  batchSize: 32,
  epochs: 8,
  patience: 2,
  maxLength: 200,
  minCount: 1,
  vocabularySize: 30_000,
  clipNorm: 5,
  seed: 42,
  ...DEFAULT_WORD_FEATURE_HYPERPARAMETERS,
});

/**
 * Builds Embedding → BiLSTM (every step) → Dropout → Dense over each step. The Dense layer
 * returns tag probabilities for `bilstm` and unnormalized emission scores for `bilstm-crf`.
 * Id 0 is padding and masked. A word tagger with character features takes feature rows
 * `[batch, steps, featureWidth]` and starts with a {@link WordFeatureEmbedding} instead.
 */
export function buildTagger(
  hyperparameters: TaggerHyperparameters,
  vocabularySize: number,
  tagCount: number,
): tf.LayersModel {
  const { embeddingDim, units, dropout, seed, architecture } = hyperparameters;
  return withoutOrthogonalWarning(() => {
    const model = tf.sequential({ name: `${architecture.replace('-', '_')}_tagger` });
    const features = wordFeatureConfig(hyperparameters);
    if (features !== null) {
      model.add(
        new WordFeatureEmbedding({
          inputShape: [null, featureWidth(features)] as unknown as number[],
          vocabularySize,
          wordDim: embeddingDim,
          buckets: features.buckets,
          ngramDim: hyperparameters.ngramEmbeddingDim,
          shapeDim: hyperparameters.shapeEmbeddingDim,
          seed,
          name: 'word_features',
        }),
      );
    } else {
      model.add(
        tf.layers.embedding({
          inputDim: vocabularySize,
          outputDim: embeddingDim,
          inputShape: [null] as unknown as number[],
          maskZero: true,
          embeddingsInitializer: tf.initializers.randomUniform({
            minval: -0.05,
            maxval: 0.05,
            seed,
          }),
          name: 'embedding',
        }),
      );
    }
    const lstm = tf.layers.lstm({
      units,
      returnSequences: true,
      unitForgetBias: true,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 2 }),
      name: 'lstm',
    });
    model.add(
      tf.layers.bidirectional({
        layer: lstm as unknown as tf.layers.RNN,
        mergeMode: 'concat',
        name: 'bidirectional_lstm',
      }) as unknown as tf.layers.Layer,
    );
    model.add(tf.layers.dropout({ rate: dropout, seed: seed + 3, name: 'dropout' }));
    model.add(
      tf.layers.dense({
        units: tagCount,
        activation: architecture === 'bilstm' ? 'softmax' : 'linear',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }),
        name: 'emissions',
      }),
    );
    return model;
  });
}

/** Creates zero-initialized trainable CRF weights for `tagCount` tags. */
export function createCrfVariables(tagCount: number): CrfWeights & { variables: tf.Variable[] } {
  const transitions = tf.variable(tf.zeros([tagCount, tagCount]), true, 'crf_transitions');
  const start = tf.variable(tf.zeros([tagCount]), true, 'crf_start');
  const end = tf.variable(tf.zeros([tagCount]), true, 'crf_end');
  return {
    transitions: transitions as tf.Variable<tf.Rank.R2>,
    start: start as tf.Variable<tf.Rank.R1>,
    end: end as tf.Variable<tf.Rank.R1>,
    variables: [transitions, start, end],
  };
}
