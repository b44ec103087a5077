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

/**
 * Writes sentences as CoNLL-U with PropBank columns: the ten CoNLL-U columns (only ID and
 * FORM filled), the predicate sense in column 10 and one argument column per predicate, `_`
 * for no role. Each sentence is the list of its examples, one per predicate.
 */
export function toConllu(sentences: readonly (readonly SrlExample[])[]): string {
  return sentences.map(conlluSentence).join('\n');
}

function conlluSentence(examples: readonly SrlExample[]): string {
  const tokens = examples[0]?.tokens ?? [];
  const predicates = new Set(examples.map((example) => example.predicateIndex));
  const lines = tokens.map((token, index) => {
    const sense = predicates.has(index) ? `${token.toLowerCase()}.01` : '_';
    const roles = examples.map((example) => {
      const label = example.labels[index] as string;
      return label === 'O' ? '_' : label;
    });
    const emptyColumns = new Array<string>(8).fill('_');
    return [String(index + 1), token, ...emptyColumns, sense, ...roles].join('\t');
  });
  return lines.join('\n') + '\n';
}
