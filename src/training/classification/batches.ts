import { shuffleInPlace } from '../../util/random.js';

/** One encoded example: token ids without padding and the label index. */
export interface EncodedExample {
  ids: number[];
  label: number;
}

/** A padded batch, row-major `[size, sequenceLength]`, padded at the end with id 0. */
export interface Batch {
  ids: Int32Array;
  labels: Int32Array;
  size: number;
  sequenceLength: number;
}

/**
 * Minimum number of time steps in a batch. The gradient of stacked tfjs-layers 4.22 LSTMs fails on a
 * single time step ("Argument tensors passed to stack must be a Tensor[]"), so batches of
 * one-token texts get one extra padded, masked step.
 */
const MIN_SEQUENCE_LENGTH = 2;

/** Examples per sorting pool: batches are cut from pools sorted by length. */
const POOL_BATCHES = 50;

/**
 * Cuts `examples` into batches of similar length, so that little time goes into padded
 * steps. The examples are shuffled, sorted by length within pools of 50 batches and cut, and
 * then the batch order is shuffled again. Without `random` the input order is kept, as
 * evaluation needs.
 */
export function makeBatches(
  examples: readonly EncodedExample[],
  batchSize: number,
  random?: () => number,
): Batch[] {
  const order = examples.map((_, index) => index);
  if (random === undefined) {
    return cut(order, examples, batchSize);
  }
  shuffleInPlace(order, random);
  const poolSize = batchSize * POOL_BATCHES;
  const batches: Batch[] = [];
  for (let start = 0; start < order.length; start += poolSize) {
    const pool = order.slice(start, start + poolSize);
    pool.sort(
      (a, b) =>
        (examples[a] as EncodedExample).ids.length - (examples[b] as EncodedExample).ids.length,
    );
    batches.push(...cut(pool, examples, batchSize));
  }
  return shuffleInPlace(batches, random);
}

function cut(
  order: readonly number[],
  examples: readonly EncodedExample[],
  batchSize: number,
): Batch[] {
  const batches: Batch[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const members = order
      .slice(start, start + batchSize)
      .map((index) => examples[index] as EncodedExample);
    const sequenceLength = Math.max(
      MIN_SEQUENCE_LENGTH,
      ...members.map((example) => example.ids.length),
    );
    const ids = new Int32Array(members.length * sequenceLength);
    members.forEach((example, row) => ids.set(example.ids, row * sequenceLength));
    const labels = Int32Array.from(members, (example) => example.label);
    batches.push({ ids, labels, size: members.length, sequenceLength });
  }
  return batches;
}
