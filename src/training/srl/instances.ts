import { splitSeeded, type SeededSplitOptions } from '../sequence/split.js';
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
 * Splits sentences in a seeded random order into test, validation and training parts, as
 * {@link splitSeeded} does, and returns the examples of each.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` for a fraction out of range or when no
 * sentence is left for training.
 */
export function splitSrlSentences(
  sentences: readonly SrlSentence[],
  options: SeededSplitOptions,
): { train: SrlExample[]; validation: SrlExample[]; test: SrlExample[] } {
  const parts = splitSeeded(sentences, options, 'sentences with a predicate');
  const examplesOf = (part: SrlSentence[]): SrlExample[] =>
    part.flatMap((sentence) => sentence.examples);
  return {
    test: examplesOf(parts.test),
    validation: examplesOf(parts.validation),
    train: examplesOf(parts.train),
  };
}

/** Role labels of the examples: `O` first, `V` second, then the roles sorted by name. */
export function roleSet(examples: readonly SrlExample[]): string[] {
  const seen = new Set<string>();
  for (const example of examples) for (const label of example.labels) seen.add(label);
  seen.delete(NO_ROLE);
  seen.delete(PREDICATE_ROLE);
  return [NO_ROLE, PREDICATE_ROLE, ...[...seen].sort()];
}
