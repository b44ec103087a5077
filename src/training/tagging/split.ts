import { MaasError } from '../../errors/index.js';
import { createRandom, shuffleInPlace } from '../../util/random.js';

import type { TaggedSentence } from './train.js';

/** Tags of the training sentences: `O` first, then the others sorted by type and prefix. */
export function tagSet(sentences: readonly TaggedSentence[]): string[] {
  const seen = new Set<string>();
  for (const sentence of sentences) for (const tag of sentence.tags) seen.add(tag);
  seen.delete('O');
  const typeOf = (tag: string): string => tag.replace(/^[BI]-/, '');
  const sortKey = (tag: string): string => `${typeOf(tag)}\u0000${tag}`;
  const others = [...seen].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  return ['O', ...others];
}

/** Splits sentences in a seeded random order: test first, then validation, then training. */
export function splitSentences(
  sentences: readonly TaggedSentence[],
  options: { testFraction: number; validationFraction: number; seed: number },
): { train: TaggedSentence[]; validation: TaggedSentence[]; test: TaggedSentence[] } {
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
  const validationCount = Math.max(1, Math.round(rest.length * validationFraction));
  if (rest.length - validationCount < 1) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `${sentences.length} sentences leave none for training after the test and validation parts; add sentences or lower the fractions`,
      { param: 'sentences' },
    );
  }
  const pick = (indexes: number[]): TaggedSentence[] =>
    indexes.map((index) => sentences[index] as TaggedSentence);
  return {
    test: pick(order.slice(0, testCount)),
    validation: pick(rest.slice(0, validationCount)),
    train: pick(rest.slice(validationCount)),
  };
}

/** Rejects evaluation sentences with a tag that no training sentence has, naming the tags. */
export function assertTagsSeen(
  tags: readonly string[],
  sentences: readonly TaggedSentence[],
  part: string,
): void {
  const known = new Set(tags);
  const unseen = new Set<string>();
  for (const sentence of sentences) {
    for (const tag of sentence.tags) if (!known.has(tag)) unseen.add(tag);
  }
  if (unseen.size > 0) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the ${part} sentences contain tag(s) ${[...unseen].map((tag) => `"${tag}"`).join(', ')} that no training sentence has; add training sentences with them or lower the ${part} fraction`,
      { param: 'tags' },
    );
  }
}
