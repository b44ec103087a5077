import { beforeAll, describe, expect, it } from 'vitest';

import { tf, useWasmBackend } from '../../../src/runtimes/tfjs/backend.js';
import { registerTrainingKernels } from '../../../src/training/kernels/index.js';
import {
  bioConstraints,
  crfLogPartition,
  crfNegativeLogLikelihood,
  viterbiDecode,
  type CrfParameters,
} from '../../../src/training/tagging/crf.js';
import { createRandom } from '../../../src/util/random.js';

const TAGS = 3;

beforeAll(async () => {
  await useWasmBackend();
  registerTrainingKernels();
});

function randomCrf(seed: number): CrfParameters {
  const random = createRandom(seed);
  const value = (): number => random() * 2 - 1;
  return {
    transitions: Array.from({ length: TAGS }, () => Array.from({ length: TAGS }, value)),
    start: Array.from({ length: TAGS }, value),
    end: Array.from({ length: TAGS }, value),
  };
}

function randomEmissions(steps: number, seed: number): number[][] {
  const random = createRandom(seed);
  return Array.from({ length: steps }, () => Array.from({ length: TAGS }, () => random() * 4 - 2));
}

function pathScore(emissions: number[][], path: number[], crf: CrfParameters): number {
  let score = (crf.start[path[0] as number] as number) + (crf.end[path.at(-1) as number] as number);
  path.forEach((tag, step) => {
    score += (emissions[step] as number[])[tag] as number;
    if (step > 0) score += (crf.transitions[path[step - 1] as number] as number[])[tag] as number;
  });
  return score;
}

function allPaths(steps: number): number[][] {
  if (steps === 0) return [[]];
  return allPaths(steps - 1).flatMap((prefix) =>
    Array.from({ length: TAGS }, (_, tag) => [...prefix, tag]),
  );
}

/** log Σ exp(score) over every path, by enumeration. */
function bruteLogPartition(emissions: number[][], crf: CrfParameters): number {
  const scores = allPaths(emissions.length).map((path) => pathScore(emissions, path, crf));
  const max = Math.max(...scores);
  return max + Math.log(scores.reduce((sum, score) => sum + Math.exp(score - max), 0));
}

function weightsOf(crf: CrfParameters) {
  return {
    transitions: tf.tensor2d(crf.transitions),
    start: tf.tensor1d(crf.start),
    end: tf.tensor1d(crf.end),
  };
}

/** Pads each sequence to `steps` with zero emissions, tag 0 and mask 0. */
function batchOf(sequences: { emissions: number[][]; tags: number[] }[], steps: number) {
  const emissions = sequences.map(({ emissions: rows }) => [
    ...rows,
    ...Array.from({ length: steps - rows.length }, () => new Array<number>(TAGS).fill(0)),
  ]);
  const tags = sequences.map(({ tags: row }) => [
    ...row,
    ...new Array<number>(steps - row.length).fill(0),
  ]);
  const mask = sequences.map(({ tags: row }) =>
    Array.from({ length: steps }, (_, step) => (step < row.length ? 1 : 0)),
  );
  return {
    emissions: tf.tensor3d(emissions),
    tags: tf.tensor2d(tags, undefined, 'int32'),
    mask: tf.tensor2d(mask),
  };
}

describe('crfLogPartition', () => {
  it('matches enumeration of every path', async () => {
    const crf = randomCrf(1);
    const sequences = [randomEmissions(4, 2), randomEmissions(1, 3), randomEmissions(3, 4)];
    const batch = batchOf(
      sequences.map((emissions) => ({ emissions, tags: emissions.map(() => 0) })),
      4,
    );

    const computed = await crfLogPartition(batch.emissions, batch.mask, weightsOf(crf)).data();

    sequences.forEach((emissions, index) => {
      expect(computed[index]).toBeCloseTo(bruteLogPartition(emissions, crf), 4);
    });
  });
});

describe('crfNegativeLogLikelihood', () => {
  it('equals log Z minus the gold score', async () => {
    const crf = randomCrf(5);
    const emissions = randomEmissions(4, 6);
    const tags = [2, 0, 1, 1];
    const batch = batchOf([{ emissions, tags }], 4);

    const loss = await crfNegativeLogLikelihood(
      batch.emissions,
      batch.tags,
      batch.mask,
      weightsOf(crf),
    ).data();

    const expected = bruteLogPartition(emissions, crf) - pathScore(emissions, tags, crf);
    expect(loss[0]).toBeCloseTo(expected, 4);
  });

  it('ignores padding', async () => {
    const crf = randomCrf(7);
    const short = { emissions: randomEmissions(2, 8), tags: [1, 2] };

    const alone = batchOf([short], 2);
    const padded = batchOf([short], 5);
    const weights = weightsOf(crf);
    const aloneLoss = (
      await crfNegativeLogLikelihood(alone.emissions, alone.tags, alone.mask, weights).data()
    )[0];
    const paddedLoss = (
      await crfNegativeLogLikelihood(padded.emissions, padded.tags, padded.mask, weights).data()
    )[0];

    expect(paddedLoss).toBeCloseTo(aloneLoss as number, 5);
  });

  it('has gradients that match finite differences', async () => {
    const crf = randomCrf(9);
    const emissions = randomEmissions(3, 10);
    const batch = batchOf([{ emissions, tags: [0, 2, 1] }], 3);
    const lossAt = (transitions: tf.Tensor2D): tf.Scalar =>
      crfNegativeLogLikelihood(batch.emissions, batch.tags, batch.mask, {
        ...weightsOf(crf),
        transitions,
      });

    const gradient = await tf
      .grad((x) => lossAt(x as tf.Tensor2D))(tf.tensor2d(crf.transitions))
      .data();

    const epsilon = 1e-2;
    for (const [from, to] of [
      [0, 2],
      [2, 1],
      [1, 1],
    ] as const) {
      const shifted = (delta: number): tf.Tensor2D =>
        tf.tensor2d(
          crf.transitions.map((row, i) =>
            row.map((value, j) => (i === from && j === to ? value + delta : value)),
          ),
        );
      const plus = (await lossAt(shifted(epsilon)).data())[0] as number;
      const minus = (await lossAt(shifted(-epsilon)).data())[0] as number;
      expect(gradient[from * TAGS + to]).toBeCloseTo((plus - minus) / (2 * epsilon), 2);
    }
  });
});

describe('crfNegativeLogLikelihood emissions', () => {
  it('has emission gradients that match finite differences', async () => {
    const crf = randomCrf(13);
    const sequences = [
      { emissions: randomEmissions(3, 14), tags: [1, 1, 0] },
      { emissions: randomEmissions(2, 15), tags: [2, 0] },
    ];
    const { tags, mask, emissions } = batchOf(sequences, 3);
    const weights = weightsOf(crf);
    const lossAt = (values: tf.Tensor3D): tf.Scalar =>
      crfNegativeLogLikelihood(values, tags, mask, weights);
    const base = (await emissions.array()) as number[][][];

    const gradient = (await tf
      .grad((x) => lossAt(x as tf.Tensor3D))(emissions)
      .array()) as number[][][];

    const epsilon = 1e-2;
    for (const [row, step, tag] of [
      [0, 0, 1],
      [0, 2, 2],
      [1, 1, 0],
      [1, 2, 1],
    ] as const) {
      const shifted = (delta: number): tf.Tensor3D => {
        const copy = structuredClone(base);
        const values = (copy[row] as number[][])[step] as number[];
        values[tag] = (values[tag] as number) + delta;
        return tf.tensor3d(copy);
      };
      const plus = (await lossAt(shifted(epsilon)).data())[0] as number;
      const minus = (await lossAt(shifted(-epsilon)).data())[0] as number;
      const expected = (plus - minus) / (2 * epsilon);
      expect(((gradient[row] as number[][])[step] as number[])[tag]).toBeCloseTo(expected, 2);
    }
    // A padded step has no effect on the loss.
    expect((gradient[1] as number[][])[2]).toEqual([0, 0, 0]);
  });
});

describe('viterbiDecode', () => {
  it('finds the best path of every length', () => {
    const crf = randomCrf(11);
    for (const steps of [1, 2, 5]) {
      const emissions = randomEmissions(steps, 12 + steps);
      let best: number[] = [];
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const path of allPaths(steps)) {
        const score = pathScore(emissions, path, crf);
        if (score > bestScore) {
          bestScore = score;
          best = path;
        }
      }

      expect(viterbiDecode(emissions.flat(), steps, crf)).toEqual(best);
    }
  });

  it('returns nothing for no steps', () => {
    expect(viterbiDecode([], 0, randomCrf(1))).toEqual([]);
  });

  it('obeys BIO constraints', () => {
    const tags = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
    const zero = {
      transitions: tags.map(() => tags.map(() => 0)),
      start: tags.map(() => 0),
      end: tags.map(() => 0),
    };
    // Emissions favour I-LOC first and I-PER after B-LOC, both invalid.
    const emissions = [
      [0, 0, 0, 1, 3],
      [0, 0, 3, 2, 2.5],
    ].flat();

    const free = viterbiDecode(emissions, 2, zero);
    const constrained = viterbiDecode(emissions, 2, zero, bioConstraints(tags));

    expect(free).toEqual([4, 2]);
    expect(constrained).toEqual([3, 4]);
  });
});

describe('bioConstraints', () => {
  it('permits I-X only after B-X or I-X', () => {
    const { allowed, allowedStart } = bioConstraints(['O', 'B-PER', 'I-PER', 'I-LOC']);

    expect(allowedStart).toEqual([true, true, false, false]);
    expect(allowed[1]).toEqual([true, true, true, false]);
    expect(allowed[0]).toEqual([true, true, false, false]);
    expect(allowed[3]).toEqual([true, true, false, true]);
  });
});
