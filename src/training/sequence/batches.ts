import { shuffleInPlace } from '../../util/random.js';

/**
 * Batches per pool of rows sorted by length. Sorting within pools, not over all rows, keeps
 * some randomness in which rows share a batch.
 */
const BATCHES_PER_POOL = 50;

/**
 * Shuffles `rows`, sorts each pool of 50 batches' worth of them by `lengthOf`, so that a
 * batch pads little, cuts the pools into batches of `batchSize` rows with `pad` and shuffles
 * the batches. The same `random` state gives the same batches.
 */
export function cutLengthSortedBatches<Row, Batch>(
  rows: readonly Row[],
  batchSize: number,
  random: () => number,
  lengthOf: (row: Row) => number,
  pad: (rows: Row[]) => Batch,
): Batch[] {
  const order = shuffleInPlace(
    rows.map((_, index) => index),
    random,
  );
  const pool = batchSize * BATCHES_PER_POOL;
  const batches: Batch[] = [];
  const rowAt = (index: number): Row => rows[index] as Row;
  for (let start = 0; start < order.length; start += pool) {
    const slice = order.slice(start, start + pool);
    slice.sort((a, b) => lengthOf(rowAt(a)) - lengthOf(rowAt(b)));
    for (let first = 0; first < slice.length; first += batchSize) {
      batches.push(pad(slice.slice(first, first + batchSize).map(rowAt)));
    }
  }
  return shuffleInPlace(batches, random);
}
