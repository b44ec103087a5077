import { MaasError } from '../../errors/index.js';
import { createRandom, shuffleInPlace } from '../../util/random.js';

/** Settings for {@link stratifiedSplit}. */
export interface StratifiedSplitOptions {
  /** Share of each label's examples that goes to validation, strictly between 0 and 1. */
  validationFraction: number;
  /** Integer seed of the shuffle, so that the same seed gives the same split. */
  seed: number;
}

/** Result of {@link stratifiedSplit}. Both parts keep the input order. */
export interface StratifiedSplit<T> {
  train: T[];
  validation: T[];
}

/**
 * Splits examples into training and validation sets with the same label proportions.
 *
 * For each label with n examples, shuffles them with the seed and moves round(n * fraction) to
 * validation. That count is raised to 1 and capped at n - 1 when n >= 2, so every label with two
 * or more examples appears in both parts, and a label with one example stays in training.
 * Labels are visited in sorted order, so the same examples in the same order, with the same
 * fraction and seed, always give the same split.
 *
 * @throws MaasError MAAS_ERR_TRAINING_INVALID when the fraction is not strictly between 0 and 1
 * or the seed is not an integer.
 */
export function stratifiedSplit<T extends { label: string }>(
  examples: readonly T[],
  options: StratifiedSplitOptions,
): StratifiedSplit<T> {
  validateOptions(options);
  const indexesByLabel = new Map<string, number[]>();
  examples.forEach((example, index) => {
    const indexes = indexesByLabel.get(example.label);
    if (indexes) {
      indexes.push(index);
    } else {
      indexesByLabel.set(example.label, [index]);
    }
  });

  const random = createRandom(options.seed);
  const inValidation = new Uint8Array(examples.length);
  for (const label of [...indexesByLabel.keys()].sort()) {
    const indexes = shuffleInPlace(indexesByLabel.get(label) as number[], random);
    const count = validationCount(indexes.length, options.validationFraction);
    for (const index of indexes.slice(0, count)) {
      inValidation[index] = 1;
    }
  }

  const split: StratifiedSplit<T> = { train: [], validation: [] };
  examples.forEach((example, index) => {
    (inValidation[index] === 1 ? split.validation : split.train).push(example);
  });
  return split;
}

function validationCount(labelSize: number, fraction: number): number {
  if (labelSize < 2) {
    return 0;
  }
  return Math.min(labelSize - 1, Math.max(1, Math.round(labelSize * fraction)));
}

function validateOptions(options: StratifiedSplitOptions): void {
  const { validationFraction, seed } = options;
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `validationFraction must be strictly between 0 and 1, found ${validationFraction}.`,
      { param: 'validationFraction' },
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new MaasError('MAAS_ERR_TRAINING_INVALID', `seed must be an integer, found ${seed}.`, {
      param: 'seed',
    });
  }
}
