import { beforeAll, describe, expect, it } from 'vitest';

import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import { registerTileGradient } from '../../../src/training/kernels/index.js';
import { createRandom } from '../../../src/util/random.js';

/** Computes the gradient of sum(tile(x, reps) · weights) by x copy by copy, in plain loops. */
function expectedGradient(shape: number[], reps: number[], weights: Float32Array): number[] {
  const tiled = shape.map((size, axis) => size * (reps[axis] as number));
  const gradient = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
  for (let flat = 0; flat < weights.length; flat++) {
    let rest = flat;
    let source = 0;
    let stride = 1;
    for (let axis = tiled.length - 1; axis >= 0; axis--) {
      const index = rest % (tiled[axis] as number);
      rest = Math.floor(rest / (tiled[axis] as number));
      source += (index % (shape[axis] as number)) * stride;
      stride *= shape[axis] as number;
    }
    gradient[source] = (gradient[source] as number) + (weights[flat] as number);
  }
  return gradient;
}

beforeAll(async () => {
  await useWasmBackend();
  registerTileGradient();
});

describe('Tile gradient', () => {
  const cases: [number[], number[]][] = [
    [[3], [4]],
    [
      [2, 3],
      [1, 5],
    ],
    [
      [2, 3],
      [3, 2],
    ],
    [
      [1, 1, 4],
      [6, 5, 1],
    ],
    [
      [2, 2, 1],
      [1, 3, 7],
    ],
    [
      [2, 1, 2, 3],
      [2, 3, 1, 2],
    ],
    [
      [2, 3],
      [1, 1],
    ],
  ];

  for (const [shape, reps] of cases) {
    it(`sums the copies: shape ${shape.join('x')} reps ${reps.join('x')}`, () => {
      const random = createRandom(shape.length * 10 + reps[0]!);
      const size = shape.reduce((a, b) => a * b, 1) * reps.reduce((a, b) => a * b, 1);
      const weights = Float32Array.from({ length: size }, () => random() * 2 - 1);
      const gradient = tf.tidy(() => {
        const tiledShape = shape.map((value, axis) => value * (reps[axis] as number));
        const w = tf.tensor(weights, tiledShape);
        const loss = (x: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.tile(x, reps), w));
        return Array.from(tf.grad(loss)(tf.ones(shape)).dataSync());
      });
      const expected = expectedGradient(shape, reps, weights);
      expect(gradient).toHaveLength(expected.length);
      gradient.forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 5));
    });
  }

  it('runs a few kernels, not one per copy', async () => {
    const profile = await tf.profile(() =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.tile(x, [32, 32, 1])))(tf.ones([1, 1, 64])),
    );
    const slices = profile.kernels.filter((kernel) => kernel.name === 'Slice');
    // tfjs-core 4.22's own gradient slices 32 · 32 = 1,024 times.
    expect(slices).toHaveLength(0);
    expect(profile.kernels.length).toBeLessThan(20);
  });

  it('registers once', () => {
    expect(registerTileGradient()).toBe(false);
  });
});
