import { tf } from '../../runtimes/tfjs/backend.js';

let registered = false;

/**
 * Replaces the gradient of Tile with one that sums the tiled copies by a reshape and a sum
 * per tiled axis. The gradient of tfjs-core 4.22 adds one slice of the output gradient per
 * copy, and each slice and add is a kernel call. tfjs-layers' LayerNormalization tiles its
 * scale, offset, mean and variance to `[batch, steps, width]`, so a transformer step of batch
 * 32 and 32 steps made about 17,600 kernel calls and spent most of its time there. The
 * gradient is registered for every backend. Returns false when it is already registered.
 */
export function registerTileGradient(): boolean {
  if (registered) return false;
  tf.registerGradient({
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const { reps } = attrs as unknown as { reps: number[] };
      return { x: () => sumTiledCopies(dy as tf.Tensor, x.shape, reps) };
    },
  });
  registered = true;
  return true;
}

/** Sums the `reps[axis]` copies along each axis of `dy`, a gradient of shape `x · reps`. */
export function sumTiledCopies(
  dy: tf.Tensor,
  shape: readonly number[],
  reps: readonly number[],
): tf.Tensor {
  return tf.tidy(() => {
    let gradient = dy;
    shape.forEach((size, axis) => {
      const copies = reps[axis] as number;
      if (copies === 1) return;
      const current = gradient.shape;
      const outer = current.slice(0, axis).reduce((product, value) => product * value, 1);
      const inner = current.slice(axis + 1).reduce((product, value) => product * value, 1);
      const summed = tf.sum(tf.reshape(gradient, [outer, copies, size, inner]), 1);
      gradient = tf.reshape(summed, [...current.slice(0, axis), size, ...current.slice(axis + 1)]);
    });
    return gradient === dy ? tf.clone(dy) : gradient;
  });
}
