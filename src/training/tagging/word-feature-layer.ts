import { tf } from '../../runtimes/tfjs/backend.js';
import { singleShape, singleTensor } from '../../runtimes/tfjs/convolution-layers.js';
import { WORD_FEATURE_PREFIX, WORD_SHAPES } from './word-features.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface WordFeatureEmbeddingArgs extends LayerArgs {
  vocabularySize: number;
  wordDim: number;
  /** Hash buckets of the character n-grams; the n-gram table has `buckets + 1` rows. */
  buckets: number;
  ngramDim: number;
  shapeDim: number;
  /** Seed of the uniform initializers in [-0.05, 0.05]; each table uses the next seed. */
  seed?: number;
}

/**
 * Embeds feature rows `[batch, steps, 2 + n-grams]` (word id, shape id, n-gram ids, as
 * `encodeWordFeatures` writes them) as `[batch, steps, wordDim + ngramDim + shapeDim]`: the
 * word embedding, the mean embedding of the word's nonzero n-gram ids (zeros when it has
 * none) and the shape embedding. Steps whose word id is 0 are padding and masked.
 */
export class WordFeatureEmbedding extends tf.layers.Layer {
  static className = 'WordFeatureEmbedding';
  readonly vocabularySize: number;
  readonly wordDim: number;
  readonly buckets: number;
  readonly ngramDim: number;
  readonly shapeDim: number;
  readonly seed: number | undefined;
  #words: tf.LayerVariable | undefined;
  #ngrams: tf.LayerVariable | undefined;
  #shapes: tf.LayerVariable | undefined;

  constructor(args: WordFeatureEmbeddingArgs) {
    super(args);
    this.vocabularySize = args.vocabularySize;
    this.wordDim = args.wordDim;
    this.buckets = args.buckets;
    this.ngramDim = args.ngramDim;
    this.shapeDim = args.shapeDim;
    this.seed = args.seed;
    // The tfjs-layers 4.22 executor calls `computeMask` only when this is set.
    this.supportsMasking = true;
  }

  override build(): void {
    const table = (name: string, rows: number, width: number, offset: number): tf.LayerVariable =>
      this.addWeight(
        name,
        [rows, width],
        'float32',
        tf.initializers.randomUniform({
          minval: -0.05,
          maxval: 0.05,
          ...(this.seed === undefined ? {} : { seed: this.seed + offset }),
        }),
      );
    this.#words = table('word_embeddings', this.vocabularySize, this.wordDim, 0);
    this.#ngrams = table('ngram_embeddings', this.buckets + 1, this.ngramDim, 1);
    this.#shapes = table('shape_embeddings', WORD_SHAPES.length, this.shapeDim, 2);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, steps] = singleShape(inputShape);
    return [batch ?? null, steps ?? null, this.wordDim + this.ngramDim + this.shapeDim];
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const rows = tf.cast(singleTensor(inputs), 'int32') as tf.Tensor3D;
      return tf.notEqual(wordColumn(rows, 0), 0);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const rows = tf.cast(singleTensor(inputs), 'int32') as tf.Tensor3D;
      const words = tf.gather((this.#words as tf.LayerVariable).read(), wordColumn(rows, 0));
      const shapes = tf.gather((this.#shapes as tf.LayerVariable).read(), wordColumn(rows, 1));
      const ngramIds = tf.slice(rows, [0, 0, WORD_FEATURE_PREFIX], [-1, -1, -1]);
      const ngramMask = tf.cast(tf.greater(ngramIds, 0), 'float32');
      const ngramVectors = tf.gather((this.#ngrams as tf.LayerVariable).read(), ngramIds);
      const sums = tf.sum(tf.mul(ngramVectors, tf.expandDims(ngramMask, -1)), 2);
      const counts = tf.maximum(tf.sum(ngramMask, 2, true), 1);
      return tf.concat([words, tf.div(sums, counts), shapes], -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      vocabularySize: this.vocabularySize,
      wordDim: this.wordDim,
      buckets: this.buckets,
      ngramDim: this.ngramDim,
      shapeDim: this.shapeDim,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

/** Returns column `index` of feature rows `[batch, steps, width]` as `[batch, steps]`. */
function wordColumn(rows: tf.Tensor3D, index: number): tf.Tensor2D {
  return tf.squeeze(tf.slice(rows, [0, 0, index], [-1, -1, 1]), [2]);
}
