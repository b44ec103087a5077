import { describe, expect, it } from 'vitest';

import {
  makeBatches,
  type Batch,
  type EncodedExample,
} from '../../../src/training/classification/batches.js';
import { createRandom, shuffleInPlace } from '../../../src/util/random.js';

/**
 * Builds `count` examples of seeded lengths from 1 to `maxLength`. The first id of example i
 * is i + 1, so that a row of a batch identifies its example. No id is 0, the padding id.
 */
function examplesOfRandomLength(count: number, maxLength: number, seed: number): EncodedExample[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const length = 1 + Math.floor(random() * maxLength);
    const ids = [index + 1, ...Array.from({ length: length - 1 }, () => 2 + (index % 50))];
    return { ids, label: index % 3 };
  });
}

/** Returns each row of `batch` without its padding, with its label. */
function rowsOf(batch: Batch): EncodedExample[] {
  return Array.from({ length: batch.size }, (_, row) => {
    const cells = Array.from(
      batch.ids.subarray(row * batch.sequenceLength, (row + 1) * batch.sequenceLength),
    );
    const end = cells.findLastIndex((id) => id !== 0) + 1;
    return { ids: cells.slice(0, end), label: batch.labels[row] as number };
  });
}

function paddedCells(batches: readonly Batch[]): number {
  let padding = 0;
  for (const batch of batches) {
    const real = rowsOf(batch).reduce((total, row) => total + row.ids.length, 0);
    padding += batch.size * batch.sequenceLength - real;
  }
  return padding;
}

describe('makeBatches without random', () => {
  const examples: EncodedExample[] = [
    { ids: [5, 6, 7], label: 0 },
    { ids: [8], label: 1 },
    { ids: [9, 10], label: 2 },
    { ids: [11, 12, 13, 14], label: 0 },
    { ids: [15], label: 1 },
  ];

  it('keeps the order of the examples', () => {
    const rows = makeBatches(examples, 2).flatMap(rowsOf);
    expect(rows).toEqual(examples);
  });

  it('cuts batches of batchSize and a shorter last one', () => {
    expect(makeBatches(examples, 2).map((batch) => batch.size)).toEqual([2, 2, 1]);
  });

  it('pads at the end to the longest row', () => {
    const [first] = makeBatches(examples, 2);
    expect(first?.sequenceLength).toBe(3);
    expect(Array.from(first?.ids ?? [])).toEqual([5, 6, 7, 8, 0, 0]);
    expect(Array.from(first?.labels ?? [])).toEqual([0, 1]);
  });

  it('pads empty examples to two steps', () => {
    const [batch] = makeBatches([{ ids: [], label: 1 }], 4);
    expect(batch?.sequenceLength).toBe(2);
    expect(Array.from(batch?.ids ?? [])).toEqual([0, 0]);
  });

  it('pads one-token batches to two steps', () => {
    const [batch] = makeBatches(
      [
        { ids: [7], label: 0 },
        { ids: [9], label: 1 },
      ],
      4,
    );
    expect(batch?.sequenceLength).toBe(2);
    expect(Array.from(batch?.ids ?? [])).toEqual([7, 0, 9, 0]);
  });

  it('returns no batches for no examples', () => {
    expect(makeBatches([], 4)).toEqual([]);
  });
});

describe('makeBatches with random', () => {
  // 1,000 examples in batches of 4 fill five pools of 50 batches.
  const examples = examplesOfRandomLength(1000, 60, 1);

  it('contains every example exactly once', () => {
    const rows = makeBatches(examples, 4, createRandom(2)).flatMap(rowsOf);
    const byFirstId = (a: EncodedExample, b: EncodedExample): number =>
      (a.ids[0] as number) - (b.ids[0] as number);
    expect(rows).toHaveLength(examples.length);
    expect(rows.sort(byFirstId)).toEqual(examples);
  });

  it('keeps every batch at batchSize', () => {
    const sizes = new Set(makeBatches(examples, 4, createRandom(2)).map((batch) => batch.size));
    expect([...sizes]).toEqual([4]);
  });

  it('pads less than random order', () => {
    const bucketed = paddedCells(makeBatches(examples, 4, createRandom(3)));
    const shuffled = shuffleInPlace([...examples], createRandom(3));
    const unsorted = paddedCells(makeBatches(shuffled, 4));
    // With these seeds, bucketed batches pad 433 cells and the random order pads 18,249.
    expect(bucketed).toBeLessThan(unsorted / 5);
  });

  it('is deterministic for a seed', () => {
    const first = makeBatches(examples, 4, createRandom(4));
    const second = makeBatches(examples, 4, createRandom(4));
    expect(second).toEqual(first);
  });

  it('changes order with the seed', () => {
    const first = makeBatches(examples, 4, createRandom(4)).flatMap(rowsOf);
    const other = makeBatches(examples, 4, createRandom(5)).flatMap(rowsOf);
    expect(other).not.toEqual(first);
  });

  it('shuffles the batch order', () => {
    const lengths = makeBatches(examples, 4, createRandom(6)).map((batch) => batch.sequenceLength);
    const ascending = [...lengths].sort((a, b) => a - b);
    expect(lengths).not.toEqual(ascending);
  });
});
