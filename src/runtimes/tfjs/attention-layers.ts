import { tf } from './backend.js';
import { singleMask, singleShape, singleTensor } from './convolution-layers.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/**
 * Value subtracted from the attention scores of padded keys before the softmax. It is large
 * enough that their weights underflow to exactly 0 in float32.
 */
export const MASKED_SCORE_PENALTY = 1e9;

export interface PositionEmbeddingArgs extends LayerArgs {
  /** Number of positions that have an embedding; longer sequences are rejected. */
  maxPositions: number;
  /** Seed of the uniform initializer in [-0.05, 0.05]. */
  seed?: number;
}

/**
 * Adds a learned embedding of each step's position to a sequence, `[batch, steps, width]`,
 * for steps 0 to `maxPositions - 1`. The mask passes through unchanged.
 */
export class PositionEmbedding extends tf.layers.Layer {
  static className = 'PositionEmbedding';
  readonly maxPositions: number;
  readonly seed: number | undefined;
  #embeddings: tf.LayerVariable | undefined;

  constructor(args: PositionEmbeddingArgs) {
    super(args);
    this.maxPositions = args.maxPositions;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const width = singleShape(inputShape)[2];
    if (typeof width !== 'number') throw new Error(`${this.name} needs a fixed input width`);
    this.#embeddings = this.addWeight(
      'embeddings',
      [this.maxPositions, width],
      'float32',
      tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor | tf.Tensor[] {
    return mask as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const sequence = singleTensor(inputs);
      const [, steps, width] = sequence.shape as [number, number, number];
      if (steps > this.maxPositions) {
        throw new Error(
          `${this.name} has embeddings for ${this.maxPositions} positions, but the sequence has ${steps} steps`,
        );
      }
      const table = (this.#embeddings as tf.LayerVariable).read();
      return tf.add(sequence, tf.slice(table, [0, 0], [steps, width]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      maxPositions: this.maxPositions,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  /** Number of heads; the input width must be a multiple of it. */
  heads: number;
  /** Seed of the Glorot-uniform initializers; each projection uses the next seed. */
  seed?: number;
}

/** Names of the four projections, in the order of their weights. */
export const ATTENTION_PROJECTIONS = ['query', 'key', 'value', 'output'] as const;

/**
 * Multi-head scaled dot-product self-attention over `[batch, steps, width]`, as in "Attention
 * Is All You Need" (Vaswani et al., 2017): query, key and value projections with biases, a
 * softmax over the keys of `QKᵀ / √(width / heads)` per head, and an output projection. Padded
 * keys get {@link MASKED_SCORE_PENALTY} subtracted, so that no step attends to padding; the
 * outputs at padded steps are computed but meaningless, and the mask passes through for the
 * layers after it to ignore them.
 */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = 'MultiHeadSelfAttention';
  readonly heads: number;
  readonly seed: number | undefined;
  #kernels: tf.LayerVariable[] = [];
  #biases: tf.LayerVariable[] = [];

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args);
    this.heads = args.heads;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const width = singleShape(inputShape)[2];
    if (typeof width !== 'number') throw new Error(`${this.name} needs a fixed input width`);
    if (width % this.heads !== 0) {
      throw new Error(`${this.name}: width ${width} is not a multiple of ${this.heads} heads`);
    }
    ATTENTION_PROJECTIONS.forEach((projection, index) => {
      const seed = this.seed === undefined ? undefined : this.seed + index;
      this.#kernels.push(
        this.addWeight(
          `${projection}_kernel`,
          [width, width],
          'float32',
          tf.initializers.glorotUniform({ seed }),
        ),
      );
      this.#biases.push(
        this.addWeight(`${projection}_bias`, [width], 'float32', tf.initializers.zeros()),
      );
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor | tf.Tensor[] {
    return mask as tf.Tensor;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: { mask?: tf.Tensor | tf.Tensor[] },
  ): tf.Tensor {
    return tf.tidy(() => {
      const sequence = singleTensor(inputs) as tf.Tensor3D;
      const [batch, steps, width] = sequence.shape;
      const headWidth = width / this.heads;
      const rows = tf.reshape(sequence, [batch * steps, width]) as tf.Tensor2D;
      // [batch, heads, steps, headWidth]
      const [query, key, value] = [0, 1, 2].map((index) =>
        tf.transpose(
          tf.reshape(this.#project(rows, index), [batch, steps, this.heads, headWidth]),
          [0, 2, 1, 3],
        ),
      ) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];

      let scores = tf.mul(tf.matMul(query, key, false, true), 1 / Math.sqrt(headWidth));
      const mask = singleMask(kwargs.mask);
      if (mask !== undefined) {
        const keep = tf.reshape(tf.cast(mask, 'float32'), [batch, 1, 1, steps]);
        scores = tf.add(scores, tf.mul(tf.sub(keep, 1), MASKED_SCORE_PENALTY));
      }
      const attended = tf.matMul(tf.softmax(scores), value) as tf.Tensor4D;
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch * steps, width]);
      return tf.reshape(this.#project(merged as tf.Tensor2D, 3), [batch, steps, width]);
    });
  }

  #project(rows: tf.Tensor2D, index: number): tf.Tensor2D {
    const kernel = (this.#kernels[index] as tf.LayerVariable).read() as tf.Tensor2D;
    return tf.add(tf.matMul(rows, kernel), (this.#biases[index] as tf.LayerVariable).read());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      heads: this.heads,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

/**
 * Sum of two sequences of the same shape, `[batch, steps, width]`, that keeps the mask of the
 * first. It stands in for tfjs-layers 4.22's Add, whose computeMask prepends an axis to the
 * mask on every call, so that a layer after two Adds receives a mask of the wrong rank.
 */
export class ResidualAdd extends tf.layers.Layer {
  static className = 'ResidualAdd';

  constructor(args?: LayerArgs) {
    super(args);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor | tf.Tensor[] {
    return singleMask(mask) as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new Error(`${this.name} takes a list of two tensors`);
    }
    return tf.add(inputs[0] as tf.Tensor, inputs[1] as tf.Tensor);
  }
}

tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(ResidualAdd);
tf.serialization.registerClass(MultiHeadSelfAttention);
