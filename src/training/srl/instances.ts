import { MaasError } from '../../errors/index.js';
import { createRandom, shuffleInPlace } from '../../util/random.js';
import type { SemanticRoleInstance } from '../datasets/conllu-srl.js';
import { NO_ROLE, PREDICATE_ROLE } from '../evaluation/argument-report.js';

/**
 * One training or evaluation example: the words of a sentence, one of its predicates and the
 * role label of every word for that predicate (`O` for none, `V` on the predicate).
 */
export interface SrlExample {
  tokens: readonly string[];
  predicateIndex: number;
  labels: readonly string[];
}

/** Examples of the same sentence; a split keeps them together so no test sentence is trained on. */
export interface SrlSentence {
  examples: SrlExample[];
}

/**
 * Returns the predicate indicator of a sequence: 1 on the predicate token, 0 elsewhere.
 *
 * @throws RangeError when `predicateIndex` is not a token index of the sequence.
 */
export function predicateIndicator(length: number, predicateIndex: number): number[] {
  if (!Number.isInteger(predicateIndex) || predicateIndex < 0 || predicateIndex >= length) {
    throw new RangeError(
      `predicate index ${predicateIndex} is outside a sequence of ${length} tokens`,
    );
  }
  const indicator = new Array<number>(length).fill(0);
  indicator[predicateIndex] = 1;
  return indicator;
}

/**
 * Groups the instances of a parsed CoNLL-U file by sentence. The parser gives every
 * instance of a sentence the same token array, which identifies the sentence.
 */
export function groupBySentence(instances: readonly SemanticRoleInstance[]): SrlSentence[] {
  const sentences = new Map<readonly string[], SrlSentence>();
  for (const instance of instances) {
    let sentence = sentences.get(instance.tokens);
    if (sentence === undefined) {
      sentence = { examples: [] };
      sentences.set(instance.tokens, sentence);
    }
    sentence.examples.push({
      tokens: instance.tokens,
      predicateIndex: instance.predicateIndex,
      labels: instance.labels,
    });
  }
  return [...sentences.values()];
}

/**
 * Splits sentences in a seeded random order into test, validation and training parts and
 * returns the examples of each. The same seed and fractions always give the same parts.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` for a fraction out of range or when no
 * sentence is left for training.
 */
export function splitSrlSentences(
  sentences: readonly SrlSentence[],
  options: { testFraction: number; validationFraction: number; seed: number },
): { train: SrlExample[]; validation: SrlExample[]; test: SrlExample[] } {
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
    sentences.map((_, index) => index),
    createRandom(seed),
  );
  const testCount = Math.round(order.length * testFraction);
  const rest = order.slice(testCount);
  const validationCount = validationSentenceCount(rest.length, validationFraction);
  if (rest.length - validationCount < 1) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `${sentences.length} sentences with a predicate leave none for training after the test and validation parts; add sentences or lower the fractions`,
      { param: 'sentences' },
    );
  }
  const pick = (indexes: number[]): SrlExample[] =>
    indexes.flatMap((index) => (sentences[index] as SrlSentence).examples);
  return {
    test: pick(order.slice(0, testCount)),
    validation: pick(rest.slice(0, validationCount)),
    train: pick(rest.slice(validationCount)),
  };
}

/** Returns the number of sentences a split holds out for validation from `total`: at least 1. */
export function validationSentenceCount(total: number, validationFraction: number): number {
  return Math.max(1, Math.round(total * validationFraction));
}

/** Role labels of the examples: `O` first, `V` second, then the roles sorted by name. */
export function roleSet(examples: readonly SrlExample[]): string[] {
  const seen = new Set<string>();
  for (const example of examples) for (const label of example.labels) seen.add(label);
  seen.delete(NO_ROLE);
  seen.delete(PREDICATE_ROLE);
  return [NO_ROLE, PREDICATE_ROLE, ...[...seen].sort()];
}
