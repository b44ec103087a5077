import type { TaggedSentence } from '../../src/training/tagging/train.js';
import { createRandom } from '../../src/util/random.js';

/** Tag set of the synthetic English NER sentences, `O` first, as CoNLL-2003 tags them. */
export const ENGLISH_NER_TAGS = [
  'O',
  'B-LOC',
  'I-LOC',
  'B-MISC',
  'I-MISC',
  'B-ORG',
  'I-ORG',
  'B-PER',
  'I-PER',
] as const;

const SYLLABLES = ['ka', 'lo', 'ver', 'mi', 'dun', 'sel', 'ra', 'tov', 'en', 'bri', 'sto', 'ne'];
const LOCATION_SUFFIXES = ['burg', 'ville', 'stad', 'ton', 'grad'];
const ORGANIZATION_SUFFIXES = ['Corp', 'Inc', 'Group', 'Bank'];
const MISC = ['German', 'French', 'Olympic', 'Dutch', 'Swedish', 'Italian', 'Polish'];

/**
 * Returns a random entity name of `type`. Names are built from syllables, so most of them
 * occur once and a held-out sentence rarely repeats a training name.
 */
function randomName(type: string, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const word = (): string => {
    const text = pick(SYLLABLES) + pick(SYLLABLES) + (random() < 0.5 ? pick(SYLLABLES) : '');
    return text[0]?.toUpperCase() + text.slice(1);
  };
  if (type === 'PER') return `${word()} ${word()}`;
  if (type === 'LOC') return word() + pick(LOCATION_SUFFIXES);
  if (type === 'ORG') return `${word()} ${pick(ORGANIZATION_SUFFIXES)}`;
  return pick(MISC);
}

const TEMPLATES = [
  '{PER} visited {LOC} on Monday .',
  '{PER} said the deal with {ORG} was signed .',
  'Shares of {ORG} rose 3.5 percent in {LOC} .',
  'the {MISC} team lost 2-1 in {LOC} .',
  '{ORG} hired {PER} last year .',
  'police in {LOC} arrested {PER} on Friday .',
  'the {MISC} government said nothing .',
  'it rained all day .',
];

/**
 * Writes `count` seeded English sentences, one word per token, with entities tagged in IOB2.
 * The person, place and organization names are random, so sentences of another seed have
 * mostly unseen names.
 */
export function synthesizeEnglishNerSentences(count: number, seed: number): TaggedSentence[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const sentences: TaggedSentence[] = [];
  for (let i = 0; i < count; i++) {
    const tokens: string[] = [];
    const tags: string[] = [];
    for (const word of pick(TEMPLATES).split(' ')) {
      const type = /^\{([A-Z]+)\}$/.exec(word)?.[1];
      if (type === undefined) {
        tokens.push(word);
        tags.push('O');
        continue;
      }
      randomName(type, random)
        .split(' ')
        .forEach((part, position) => {
          tokens.push(part);
          tags.push(`${position === 0 ? 'B' : 'I'}-${type}`);
        });
    }
    sentences.push({ tokens, tags });
  }
  return sentences;
}
