import { tf } from './backend.js';

/**
 * Mean of a sequence over its unmasked steps: `[batch, steps, width]` → `[batch, width]`.
 * tfjs-layers 4.22's GlobalAveragePooling1D ignores the mask, so padding would dilute the
 * mean of short texts. A row with no unmasked step gives zeros.
 */
export class MaskedMeanPooling extends tf.layers.Layer {
  static className = 'MaskedMeanPooling';

  constructor(config?: ConstructorParameters<typeof tf.layers.Layer>[0]) {
    super(config);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, shape[2] ?? null];
  }

  // The output has no steps left to mask. tfjs types the result as a tensor but treats null
  // as no mask, as its own pooling layers return.
  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: { mask?: tf.Tensor | tf.Tensor[] },
  ): tf.Tensor {
    return tf.tidy(() => {
      const sequence = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const mask = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
      if (mask === undefined || mask === null) return tf.mean(sequence, 1);
      const weights = tf.expandDims(tf.cast(mask, 'float32'), 2);
      const sum = tf.sum(tf.mul(sequence, weights), 1);
      const count = tf.maximum(tf.sum(weights, 1), 1);
      return tf.div(sum, count);
    });
  }
}

tf.serialization.registerClass(MaskedMeanPooling);

// The layers of the textcnn and transformer classifiers register themselves on import.
export { MaskedConv1D, MaskedMaxPooling } from './convolution-layers.js';
export { MultiHeadSelfAttention, PositionEmbedding, ResidualAdd } from './attention-layers.js';
