import { createRandom } from '../src/util/random.js';

/**
 * A padded batch of synthetic token ids, row-major `[size, steps]`, padded at the end with
 * id 0, with one label per row or one tag per step.
 */
export interface SyntheticBatch {
  ids: Int32Array;
  /** Real tokens of each row; the rest of the row is padding. */
  lengths: number[];
  /** One label index per row, for classifiers. */
  labels: Int32Array;
  /** One tag index per step, row-major `[size, steps]`, 0 at padding, for taggers. */
  tags: Int32Array;
  size: number;
  steps: number;
}

export interface SyntheticBatchOptions {
  count: number;
  batchSize: number;
  /** Steps of every batch; the longest row of each batch has this length. */
  steps: number;
  vocabularySize: number;
  /** Number of labels (classifiers) or tags (taggers). */
  classes: number;
  seed: number;
}

/** Median row length as a share of `steps`, and the spread of the log-normal lengths. */
export const MEDIAN_LENGTH_SHARE = 0.7;
const LENGTH_SIGMA = 0.35;

/**
 * Generates `count` batches of random token ids from `seed`. Row lengths follow a
 * log-normal distribution with a median of 70% of `steps`, cut to 2…`steps`, and one row
 * per batch has exactly `steps` tokens, so every batch has the same shape. Ids are drawn
 * with a probability proportional to 1/id over 1…`vocabularySize - 1`, as Zipf's law gives
 * word frequencies, so that a few ids repeat often in a batch.
 */
export function syntheticBatches(options: SyntheticBatchOptions): SyntheticBatch[] {
  const { count, batchSize, steps, vocabularySize, classes, seed } = options;
  if (steps < 2) throw new RangeError(`steps must be at least 2, got ${steps}`);
  if (vocabularySize < 2) {
    throw new RangeError(`vocabularySize must be at least 2, got ${vocabularySize}`);
  }
  const random = createRandom(seed);
  const normal = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const rowLength = (): number => {
    const drawn = Math.round(steps * MEDIAN_LENGTH_SHARE * Math.exp(LENGTH_SIGMA * normal()));
    return Math.min(steps, Math.max(2, drawn));
  };
  const tokenId = (): number => {
    const id = Math.floor(Math.exp(random() * Math.log(vocabularySize)));
    return Math.min(vocabularySize - 1, Math.max(1, id));
  };

  const batches: SyntheticBatch[] = [];
  for (let index = 0; index < count; index++) {
    const lengths = Array.from({ length: batchSize }, rowLength);
    lengths[Math.floor(random() * batchSize)] = steps;
    const ids = new Int32Array(batchSize * steps);
    const tags = new Int32Array(batchSize * steps);
    lengths.forEach((length, row) => {
      for (let step = 0; step < length; step++) {
        ids[row * steps + step] = tokenId();
        tags[row * steps + step] = Math.floor(random() * classes);
      }
    });
    const labels = Int32Array.from({ length: batchSize }, () => Math.floor(random() * classes));
    batches.push({ ids, lengths, labels, tags, size: batchSize, steps });
  }
  return batches;
}
