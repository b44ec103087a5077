import { tf } from '../../runtimes/tfjs/backend.js';

/**
 * Returns the mean cross-entropy over the real (unmasked) tokens of a batch: `probabilities`
 * `[size, steps, classes]`, gold class indexes `labels` and `mask` `[size, steps]`.
 */
export function maskedCrossEntropy(
  probabilities: tf.Tensor3D,
  labels: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Scalar {
  const oneHot = tf.oneHot(labels, probabilities.shape[2]).toFloat();
  const clipped = tf.clipByValue(probabilities, 1e-7, 1);
  const perToken = tf.neg(tf.sum(tf.mul(oneHot, tf.log(clipped)), 2));
  return tf.div(tf.sum(tf.mul(perToken, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}
