import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import {
  CPU_FALLBACK_KERNELS,
  registerConv2DBackpropFilter,
  registerCpuFallbackKernels,
  registerTrainingKernels,
  registerUnsortedSegmentSum,
} from '../../../src/training/kernels/index.js';
import {
  resolveHyperparameters,
  type ClassifierArchitecture,
} from '../../../src/training/classification/hyperparameters.js';
import { buildClassifier } from '../../../src/training/classification/model.js';
import { createRandom } from '../../../src/util/random.js';

const TOLERANCE = 1e-5;
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const probeScript = fileURLToPath(new URL('./fresh-process-probe.ts', import.meta.url));

type BackendName = 'cpu' | 'wasm';

/** Values of a tensor computed on one backend, read back to plain arrays. */
interface Computed {
  backend: string;
  shape: number[];
  dtype: string;
  values: number[];
}

/**
 * Creates the inputs and runs `compute` with `backend` selected, reads the result and selects
 * wasm again. Inputs must be created inside `compute`, so that they live on that backend.
 */
async function computeOn(backend: BackendName, compute: () => tf.Tensor): Promise<Computed> {
  await tf.setBackend(backend);
  try {
    const ranOn = tf.getBackend();
    const result = tf.tidy(compute);
    const values = Array.from(await result.data());
    const computed = { backend: ranOn, shape: result.shape, dtype: result.dtype, values };
    result.dispose();
    return computed;
  } finally {
    await tf.setBackend('wasm');
  }
}

async function computeOnBoth(compute: () => tf.Tensor): Promise<{ cpu: Computed; wasm: Computed }> {
  const cpu = await computeOn('cpu', compute);
  const wasm = await computeOn('wasm', compute);
  return { cpu, wasm };
}

function maxAbsDifference(a: readonly number[], b: readonly number[]): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return max;
}

function maxAbs(values: readonly number[]): number {
  return values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}

/** Asserts that the wasm result ran on wasm and matches the CPU result within `tolerance`. */
function expectSameResult(
  { cpu, wasm }: { cpu: Computed; wasm: Computed },
  tolerance = TOLERANCE,
): void {
  expect(cpu.backend).toBe('cpu');
  expect(wasm.backend).toBe('wasm');
  expect(wasm.shape).toEqual(cpu.shape);
  expect(wasm.values).toHaveLength(cpu.values.length);
  expect(maxAbsDifference(wasm.values, cpu.values)).toBeLessThanOrEqual(tolerance);
}

/** Seeded values in [-1, 1). */
function randomValues(count: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => random() * 2 - 1);
}

beforeAll(async () => {
  await useWasmBackend();
  registerTrainingKernels();
  // The CPU backend prints an "install tfjs-node" banner on first use, but these tests mean to use it.
  (tf.engine().findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
});

afterEach(async () => {
  await tf.setBackend('wasm');
});

describe('kernel registration', () => {
  it('lacks both kernels in a fresh process', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', probeScript],
      { cwd: projectRoot, timeout: 60_000 },
    );
    const probe = JSON.parse(stdout);
    expect(probe.backend).toBe('wasm');
    expect(probe.before).toEqual({ UnsortedSegmentSum: false, Conv2DBackpropFilter: false });
    expect(probe.gatherBefore).toBe(
      "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'",
    );
    expect(probe.conv1dBefore).toBe(
      "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'",
    );
    expect(probe.encoderBefore).toBeNull();
    expect(probe.firstSegmentSum).toBe(true);
    expect(probe.firstBackpropFilter).toBe(true);
    expect(probe.firstFallbacks).toEqual([]);
    expect(probe.after).toEqual({ UnsortedSegmentSum: true, Conv2DBackpropFilter: true });
    expect(probe.gatherAfter).toBeNull();
    expect(probe.conv1dAfter).toBeNull();
    expect(probe.secondSegmentSum).toBe(false);
    expect(probe.secondBackpropFilter).toBe(false);
    expect(probe.secondFallbacks).toEqual([]);
  });

  it('registerTrainingKernels is idempotent', () => {
    const segmentSum = tf.getKernel('UnsortedSegmentSum', 'wasm');
    const backpropFilter = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    registerTrainingKernels();
    registerTrainingKernels();
    expect(segmentSum).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBe(segmentSum);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(backpropFilter);
    expect(registerUnsortedSegmentSum()).toBe(false);
    expect(registerConv2DBackpropFilter()).toBe(false);
    expect(registerCpuFallbackKernels()).toEqual([]);
  });

  it('needs no CPU fallback', () => {
    expect(CPU_FALLBACK_KERNELS).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
  });
});

describe('CPU fallback on wasm', () => {
  it('runs a missing kernel on the CPU backend', async () => {
    const native = tf.getKernel('Conv2DBackpropFilter', 'wasm') as tf.KernelConfig;
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    try {
      expect(registerCpuFallbackKernels(['Conv2DBackpropFilter'])).toEqual([
        'Conv2DBackpropFilter',
      ]);
      expect(registerCpuFallbackKernels(['Conv2DBackpropFilter'])).toEqual([]);
      const result = await computeOnBoth(() => {
        const x = tf.tensor3d(randomValues(2 * 7 * 3, 16), [2, 7, 3]);
        const loss = (filter: tf.Tensor): tf.Scalar =>
          tf.sum(tf.square(tf.conv1d(x, filter as tf.Tensor3D, 1, 'same')));
        return tf.grad(loss)(tf.tensor3d(randomValues(3 * 3 * 4, 17), [3, 3, 4]));
      });
      expectSameResult(result);
    } finally {
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      tf.registerKernel(native);
    }
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(native);
  });

  it('rejects a kernel the CPU backend lacks', () => {
    expect(() => registerCpuFallbackKernels(['NoSuchKernel'])).toThrow(
      'the tfjs cpu backend has no NoSuchKernel kernel to fall back on',
    );
  });
});

describe('UnsortedSegmentSum on wasm', () => {
  interface Case {
    name: string;
    x: number[];
    shape: number[];
    ids: number[];
    numSegments: number;
  }

  const cases: Case[] = [
    { name: '1-D x', x: [1, 2, 3, 4, 5], shape: [5], ids: [0, 2, 0, 1, 2], numSegments: 3 },
    {
      name: '2-D x with repeated ids',
      x: randomValues(12, 1),
      shape: [4, 3],
      ids: [1, 1, 0, 1],
      numSegments: 2,
    },
    {
      name: '3-D x with unused segments',
      x: randomValues(12, 2),
      shape: [3, 2, 2],
      ids: [2, 0, 2],
      numSegments: 5,
    },
    {
      name: 'negative and out-of-range ids',
      x: randomValues(10, 3),
      shape: [5, 2],
      ids: [0, -1, 3, 7, 2],
      numSegments: 3,
    },
  ];

  for (const { name, x, shape, ids, numSegments } of cases) {
    it(`matches cpu: ${name}`, async () => {
      const result = await computeOnBoth(() =>
        tf.unsortedSegmentSum(tf.tensor(x, shape), tf.tensor1d(ids, 'int32'), numSegments),
      );
      expectSameResult(result);
      expect(result.wasm.shape).toEqual([numSegments, ...shape.slice(1)]);
      expect(result.wasm.dtype).toBe('float32');
    });
  }

  it('drops negative and out-of-range ids', async () => {
    const { wasm } = await computeOnBoth(() =>
      tf.unsortedSegmentSum(
        tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]),
        tf.tensor1d([0, -1, 3, 0, 2], 'int32'),
        3,
      ),
    );
    expect(wasm.values).toEqual([8, 10, 0, 0, 9, 10]);
  });

  it('keeps int32 values and dtype', async () => {
    const result = await computeOnBoth(() =>
      tf.unsortedSegmentSum(
        tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], 'int32'),
        tf.tensor1d([1, 1, -1, 0], 'int32'),
        3,
      ),
    );
    expectSameResult(result);
    expect(result.wasm.values).toEqual([7, 8, 4, 6, 0, 0]);
    // TensorFlow keeps the dtype of x. The tfjs 4.22 CPU kernel returns float32 because it
    // multiplies x by a float32 mask, so only the values are compared with it.
    expect(result.wasm.dtype).toBe('int32');
    expect(result.cpu.dtype).toBe('float32');
  });
});

describe('embedding gradient on wasm', () => {
  // Rows 3 and 4 are never looked up, id 2 appears three times and id 0 is the padding id.
  const matrix = randomValues(6 * 3, 4);
  const ids = [
    [1, 2, 2],
    [0, 5, 2],
  ];
  const lossWeights = randomValues(2 * 3 * 3, 5);

  it('matches cpu for tf.gather', async () => {
    const result = await computeOnBoth(() => {
      const indices = tf.tensor2d(ids.flat(), [2, 3], 'int32');
      const weights = tf.tensor3d(lossWeights, [2, 3, 3]);
      const loss = (embedding: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(tf.square(tf.gather(embedding, indices)), weights));
      return tf.grad(loss)(tf.tensor2d(matrix, [6, 3]));
    });
    expectSameResult(result);
    expect(result.wasm.shape).toEqual([6, 3]);
    expect(maxAbs(result.cpu.values)).toBeGreaterThan(0.01);
    expect(result.wasm.values.slice(9, 15)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('Conv2DBackpropFilter on wasm', () => {
  const conv1dCases = [
    { stride: 1, pad: 'same', kernel: 3 },
    { stride: 1, pad: 'valid', kernel: 3 },
    { stride: 2, pad: 'same', kernel: 3 },
    { stride: 2, pad: 'valid', kernel: 3 },
    { stride: 1, pad: 'same', kernel: 2 },
    { stride: 1, pad: 'same', kernel: 4 },
    // A kernel wider than the sequence, as textcnn meets with short texts.
    { stride: 1, pad: 'same', kernel: 9 },
  ] as const;

  for (const { stride, pad, kernel } of conv1dCases) {
    it(`matches cpu: conv1d kernel ${kernel} stride ${stride} pad ${pad}`, async () => {
      const result = await computeOnBoth(() => {
        const x = tf.tensor3d(randomValues(2 * 7 * 3, 6), [2, 7, 3]);
        const loss = (filter: tf.Tensor): tf.Scalar =>
          tf.sum(tf.square(tf.conv1d(x, filter as tf.Tensor3D, stride, pad)));
        return tf.grad(loss)(tf.tensor3d(randomValues(kernel * 3 * 4, 7), [kernel, 3, 4]));
      });
      expectSameResult(result);
      expect(result.wasm.shape).toEqual([kernel, 3, 4]);
      expect(maxAbs(result.cpu.values)).toBeGreaterThan(0.01);
    });
  }

  it('matches cpu: zeros in the input', async () => {
    const values = randomValues(3 * 10 * 5, 12).map((value, index) =>
      index % 3 === 0 ? 0 : value,
    );
    const result = await computeOnBoth(() => {
      const x = tf.tensor3d(values, [3, 10, 5]);
      const loss = (filter: tf.Tensor): tf.Scalar =>
        tf.sum(tf.square(tf.conv1d(x, filter as tf.Tensor3D, 1, 'same')));
      return tf.grad(loss)(tf.tensor3d(randomValues(4 * 5 * 6, 13), [4, 5, 6]));
    });
    expectSameResult(result);
  });

  const conv2dCases = [
    { stride: 1, pad: 'same' },
    { stride: 2, pad: 'valid' },
    { stride: 2, pad: 'same' },
    { stride: 1, pad: 1 },
  ] as const;

  for (const { stride, pad } of conv2dCases) {
    it(`matches cpu: conv2d stride ${stride} ${pad}`, async () => {
      const result = await computeOnBoth(() => {
        const x = tf.tensor4d(randomValues(2 * 5 * 5 * 2, 8), [2, 5, 5, 2]);
        const loss = (filter: tf.Tensor): tf.Scalar =>
          tf.sum(tf.square(tf.conv2d(x, filter as tf.Tensor4D, stride, pad)));
        return tf.grad(loss)(tf.tensor4d(randomValues(3 * 3 * 2 * 3, 9), [3, 3, 2, 3]));
      });
      expectSameResult(result);
      expect(result.wasm.shape).toEqual([3, 3, 2, 3]);
      expect(maxAbs(result.cpu.values)).toBeGreaterThan(0.01);
    });
  }
});

describe('classifier gradients on wasm', () => {
  // Rows of mixed lengths with padding, one shorter than the widest kernel of textcnn.
  const ids = [
    [3, 7, 7, 12, 5, 9],
    [4, 0, 0, 0, 0, 0],
    [11, 2, 8, 0, 0, 0],
  ];
  const labels = [0, 2, 1];

  /**
   * Every gradient of one cross-entropy step of a small classifier, flattened into one
   * tensor. The seeded initializers give the same weights on either backend, and dropout is
   * off, so the two backends compute the same function.
   */
  function gradientsOf(architecture: ClassifierArchitecture): () => tf.Tensor {
    return () => {
      const hyperparameters = resolveHyperparameters({
        architecture,
        embeddingDim: 8,
        units: 8,
        maxLength: 8,
        attentionHeads: 2,
      });
      const model = buildClassifier(hyperparameters, 16, 3);
      try {
        const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => {
          const input = tf.tensor2d(ids.flat(), [3, 6], 'int32');
          const probabilities = model.apply(input, { training: false }) as tf.Tensor;
          const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
          return tf.neg(tf.sum(tf.mul(oneHot, tf.log(probabilities)))) as tf.Scalar;
        }, variables);
        return tf.concat(variables.map((variable) => tf.reshape(grads[variable.name]!, [-1])));
      } finally {
        model.dispose();
      }
    };
  }

  for (const architecture of ['textcnn', 'transformer'] as const) {
    it(`matches cpu: ${architecture}`, async () => {
      const result = await computeOnBoth(gradientsOf(architecture));
      // A whole model sums in a different order on each backend through a dozen ops, so its
      // float32 gradients differ by more than those of one kernel.
      expectSameResult(result, 1e-4);
      expect(maxAbs(result.cpu.values)).toBeGreaterThan(0.01);
    });
  }
});
