// Run by kernels.test.ts as `node --import tsx` in a new process, so that no earlier
// registration can hide what the wasm backend lacks. Prints one JSON object on stdout.
import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import {
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

await useWasmBackend();
const before = kernelsOnWasm();
const gatherBefore = errorOf(gatherGradient);
const conv1dBefore = errorOf(conv1dFilterGradient);
const firstSegmentSum = registerUnsortedSegmentSum();
const firstFallbacks = registerCpuFallbackKernels();
const secondSegmentSum = registerUnsortedSegmentSum();
const secondFallbacks = registerCpuFallbackKernels();

console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    before,
    after: kernelsOnWasm(),
    gatherBefore,
    conv1dBefore,
    gatherAfter: errorOf(gatherGradient),
    conv1dAfter: errorOf(conv1dFilterGradient),
    firstSegmentSum,
    firstFallbacks,
    secondSegmentSum,
    secondFallbacks,
  }),
);
