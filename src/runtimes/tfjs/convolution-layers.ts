import { tf } from './backend.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Value added to the activations of padded steps before a max, so that they never win. */
export const MASKED_MAX_PENALTY = 1e9;

export interface MaskedConv1DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  /** Seed of the Glorot-uniform kernel initializer. */
  seed?: number;
}

/**
 * Conv1D with `same` padding, a bias and relu, that zeroes padded steps before the
 * convolution: `[batch, steps, width]` → `[batch, steps, filters]`. Because padded steps are
 * zero, every unmasked output step sees the same inputs as in the row without padding, where
 * the convolution pads with zeros too. The mask passes through unchanged. tfjs-layers 4.22's
 * Conv1D rejects a mask, and `same` padding keeps a row shorter than the kernel working.
 * With an even kernel size the extra padded step goes to the end, as in TensorFlow.
 */
export class MaskedConv1D extends tf.layers.Layer {
  static className = 'MaskedConv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly seed: number | undefined;
  #kernel: tf.LayerVariable | undefined;
  #bias: tf.LayerVariable | undefined;

  constructor(args: MaskedConv1DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const width = singleShape(inputShape)[2];
    if (typeof width !== 'number') throw new Error(`${this.name} needs a fixed input width`);
    this.#kernel = this.addWeight(
      'kernel',
      [this.kernelSize, width, this.filters],
      'float32',
      tf.initializers.glorotUniform({ seed: this.seed }),
    );
    this.#bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape);
    return [shape[0] ?? null, shape[1] ?? null, this.filters];
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
      let sequence = singleTensor(inputs) as tf.Tensor3D;
      const mask = singleMask(kwargs.mask);
      if (mask !== undefined) {
        sequence = tf.mul(sequence, tf.expandDims(tf.cast(mask, 'float32'), 2));
      }
      const kernel = (this.#kernel as tf.LayerVariable).read() as tf.Tensor3D;
      const convolved = tf.conv1d(sequence, kernel, 1, 'same');
      return tf.relu(tf.add(convolved, (this.#bias as tf.LayerVariable).read()));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

/**
 * Max over the unmasked steps of a sequence: `[batch, steps, width]` → `[batch, width]`.
 * Padded steps get {@link MASKED_MAX_PENALTY} subtracted before the max, and a row with no
 * unmasked step gives zeros. tfjs-layers 4.22's GlobalMaxPooling1D ignores the mask.
 */
export class MaskedMaxPooling extends tf.layers.Layer {
  static className = 'MaskedMaxPooling';

  constructor(args?: LayerArgs) {
    super(args);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape);
    return [shape[0] ?? null, shape[2] ?? null];
  }

  // The output has no steps left to mask; tfjs treats null as no mask.
  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: { mask?: tf.Tensor | tf.Tensor[] },
  ): tf.Tensor {
    return tf.tidy(() => {
      const sequence = singleTensor(inputs);
      const mask = singleMask(kwargs.mask);
      if (mask === undefined) return tf.max(sequence, 1);
      const weights = tf.expandDims(tf.cast(mask, 'float32'), 2);
      const penalty = tf.mul(tf.sub(weights, 1), MASKED_MAX_PENALTY);
      const maximum = tf.max(tf.add(sequence, penalty), 1);
      const anyUnmasked = tf.max(weights, 1);
      return tf.mul(maximum, anyUnmasked);
    });
  }
}

/** The one input shape of a single-input layer. */
export function singleShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}

/** The one input tensor of a single-input layer. */
export function singleTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
}

/** The mask of a single-input layer, or undefined if there is none. */
export function singleMask(mask: tf.Tensor | tf.Tensor[] | undefined): tf.Tensor | undefined {
  const single = Array.isArray(mask) ? mask[0] : mask;
  return single ?? undefined;
}

tf.serialization.registerClass(MaskedConv1D);
tf.serialization.registerClass(MaskedMaxPooling);
