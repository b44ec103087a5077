import { MaasError } from '../../errors/index.js';
import { createRandom, shuffleInPlace } from '../../util/random.js';

/** Fractions and seed of a {@link splitSeeded} split. */
export interface SeededSplitOptions {
  /** Share held out as the test part, from 0 up to but not including 1. */
  testFraction: number;
  /** Share of the rest held out as the validation part, above 0 and below 1. */
  validationFraction: number;
  seed: number;
}

/**
 * Splits `items` in a seeded random order: test first, then validation, then training. The
 * same items, fractions and seed always give the same parts. `itemName` ("sentences") names
 * the items in the error for a split that leaves none for training.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` for a fraction out of range or when no item
 * is left for training.
 */
export function splitSeeded<T>(
  items: readonly T[],
  options: SeededSplitOptions,
  itemName: string,
): { train: T[]; validation: T[]; test: T[] } {
  const { testFraction, validationFraction, seed } = options;
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the test fraction must be at least 0 and below 1, got ${testFraction}`,
      { param: 'test_split' },
    );
  }
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the validation fraction must be above 0 and below 1, got ${validationFraction}`,
      { param: 'validation_split' },
    );
  }
  const order = shuffleInPlace(
    items.map((_, index) => index),
    createRandom(seed),
  );
  const testCount = Math.round(order.length * testFraction);
  const rest = order.slice(testCount);
  const validationCount = heldOutValidationCount(rest.length, validationFraction);
  if (rest.length - validationCount < 1) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `${items.length} ${itemName} leave none for training after the test and validation parts; add sentences or lower the fractions`,
      { param: 'sentences' },
    );
  }
  const pick = (indexes: number[]): T[] => indexes.map((index) => items[index] as T);
  return {
    test: pick(order.slice(0, testCount)),
    validation: pick(rest.slice(0, validationCount)),
    train: pick(rest.slice(validationCount)),
  };
}

/** Returns the number of items {@link splitSeeded} holds out for validation from `total`: at least 1. */
export function heldOutValidationCount(total: number, validationFraction: number): number {
  return Math.max(1, Math.round(total * validationFraction));
}
