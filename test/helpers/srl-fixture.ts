import type { SrlExample } from '../../src/training/srl/instances.js';
import { createRandom } from '../../src/util/random.js';

const PEOPLE = ['Anna', 'Ben', 'Carla', 'David', 'Emma', 'Frank'];
const VERBS = ['chased', 'saw', 'liked', 'found', 'painted', 'washed'];
const NOUNS = ['dog', 'car', 'house', 'book', 'ball', 'boat'];
const TIMES = ['yesterday', 'today', 'tonight'];
const WANTS = ['wanted', 'tried', 'hoped'];
const BASE_VERBS = ['chase', 'see', 'find', 'paint', 'wash'];

/**
 * Writes seeded English sentences with head-token PropBank roles, one example per
 * predicate. "Anna wanted to paint the boat" gives two examples whose labels differ only by
 * the predicate, so a tagger must read the predicate indicator to label them both.
 */
export function synthesizeSrlSentences(count: number, seed: number): SrlExample[][] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const sentences: SrlExample[][] = [];
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(random() * 3);
    const agent = pick(PEOPLE);
    const noun = pick(NOUNS);
    if (kind === 0) {
      const tokens = [agent, pick(VERBS), 'the', noun, pick(TIMES)];
      sentences.push([
        { tokens, predicateIndex: 1, labels: ['ARG0', 'V', 'O', 'ARG1', 'ARGM-TMP'] },
      ]);
    } else if (kind === 1) {
      const tokens = [agent, 'did', 'not', pick(BASE_VERBS), 'the', noun];
      sentences.push([
        { tokens, predicateIndex: 3, labels: ['ARG0', 'O', 'ARGM-NEG', 'V', 'O', 'ARG1'] },
      ]);
    } else {
      const tokens = [agent, pick(WANTS), 'to', pick(BASE_VERBS), 'the', noun];
      sentences.push([
        { tokens, predicateIndex: 1, labels: ['ARG0', 'V', 'O', 'ARG1', 'O', 'O'] },
        { tokens, predicateIndex: 3, labels: ['ARG0', 'O', 'O', 'V', 'O', 'ARG1'] },
      ]);
    }
  }
  return sentences;
}
