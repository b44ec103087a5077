import { MaasError } from '../../errors/index.js';
import { splitSeeded, type SeededSplitOptions } from '../sequence/split.js';

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
  options: SeededSplitOptions,
): { train: TaggedSentence[]; validation: TaggedSentence[]; test: TaggedSentence[] } {
  return splitSeeded(sentences, options, 'sentences');
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
