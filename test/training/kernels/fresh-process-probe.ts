// Run by kernels.test.ts as `node --import tsx` in a new process, so that no earlier
// registration can hide what the wasm backend lacks. Prints one JSON object on stdout.
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import {
  registerConv2DBackpropFilter,
  registerCpuFallbackKernels,
  registerUnsortedSegmentSum,
} from '../../../src/training/kernels/index.js';

const KERNELS = ['UnsortedSegmentSum', 'Conv2DBackpropFilter'];

function kernelsOnWasm(): Record<string, boolean> {
  return Object.fromEntries(
    KERNELS.map((name) => [name, tf.getKernel(name, 'wasm') !== undefined]),
  );
}

/** Returns the message of the error that `run` throws, or null when it succeeds. */
function errorOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function gatherGradient(): void {
  tf.tidy(() => {
    const ids = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    tf.grad((matrix: tf.Tensor) => tf.sum(tf.gather(matrix, ids)))(tf.ones([4, 3]));
  });
}

function conv1dFilterGradient(): void {
  tf.tidy(() => {
    const x = tf.ones([1, 5, 2]) as tf.Tensor3D;
    tf.grad((filter: tf.Tensor) => tf.sum(tf.conv1d(x, filter as tf.Tensor3D, 1, 'same')))(
      tf.ones([3, 2, 2]),
    );
  });
}

/**
 * The gradients of the transformer's operations that the wasm backend could lack: batched
 * matMul, softmax, LayerNormalization, and the max of textcnn's pooling.
 */
function encoderGradients(): void {
  const layerNormalization = tf.layers.layerNormalization({ axis: -1, epsilon: 1e-6 });
  tf.tidy(() => {
    const x = tf.tensor3d(
      [0.1, -0.3, 0.5, 0.2, 0.7, -0.1, 0.4, 0.9, -0.6, 0.3, 0.2, 0.8],
      [1, 3, 4],
    );
    tf.grad((input: tf.Tensor) => {
      const heads = tf.reshape(input, [1, 3, 2, 2]).transpose([0, 2, 1, 3]);
      const attended = tf.matMul(tf.softmax(tf.matMul(heads, heads, false, true)), heads);
      const normalized = layerNormalization.apply(attended) as tf.Tensor;
      return tf.sum(tf.max(tf.relu(normalized), 2));
    })(x);
  });
}

await useWasmBackend();
const before = kernelsOnWasm();
const gatherBefore = errorOf(gatherGradient);
const conv1dBefore = errorOf(conv1dFilterGradient);
const encoderBefore = errorOf(encoderGradients);
const firstSegmentSum = registerUnsortedSegmentSum();
const firstBackpropFilter = registerConv2DBackpropFilter();
const firstFallbacks = registerCpuFallbackKernels();
const secondSegmentSum = registerUnsortedSegmentSum();
const secondBackpropFilter = registerConv2DBackpropFilter();
const secondFallbacks = registerCpuFallbackKernels();

console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    before,
    after: kernelsOnWasm(),
    gatherBefore,
    conv1dBefore,
    encoderBefore,
    gatherAfter: errorOf(gatherGradient),
    conv1dAfter: errorOf(conv1dFilterGradient),
    firstSegmentSum,
    firstBackpropFilter,
    firstFallbacks,
    secondSegmentSum,
    secondBackpropFilter,
    secondFallbacks,
  }),
);
