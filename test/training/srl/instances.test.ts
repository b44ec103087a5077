import { describe, expect, it } from 'vitest';
import { parseSemanticRoleText } from '../../../src/training/datasets/conllu-srl.js';
import {
  groupBySentence,
  predicateIndicator,
  roleSet,
  splitSrlSentences,
  type SrlSentence,
} from '../../../src/training/srl/instances.js';
import { encodeExample, padSrlBatch } from '../../../src/training/srl/train.js';
import { Vocabulary } from '../../../src/text/index.js';

/** Builds a CoNLL-U token line: ten CoNLL-U columns, the sense and the argument columns. */
function line(id: number, form: string, sense: string, ...args: string[]): string {
  return [
    String(id),
    form,
    form.toLowerCase(),
    '_',
    '_',
    '_',
    '_',
    '_',
    '_',
    '_',
    sense,
    ...args,
  ].join('\t');
}

const CONLLU = [
  '# text = Anna wanted to paint the boat',
  line(1, 'Anna', '_', 'ARG0', 'ARG0'),
  line(2, 'wanted', 'want.01', 'V', '_'),
  line(3, 'to', '_', '_', '_'),
  line(4, 'paint', 'paint.01', 'ARG1', 'V'),
  line(5, 'the', '_', '_', '_'),
  line(6, 'boat', '_', '_', 'ARG1'),
  '',
  '# text = Hello !',
  line(1, 'Hello', '_', '_'),
  line(2, '!', '_', '_'),
  '',
  '# text = Ben left yesterday',
  line(1, 'Ben', '_', 'ARG0'),
  line(2, 'left', 'leave.01', 'V'),
  line(3, 'yesterday', '_', 'ARGM-TMP'),
  '',
].join('\n');

describe('semantic role instances', () => {
  it('builds one example per predicate', () => {
    const dataset = parseSemanticRoleText(CONLLU);
    const sentences = groupBySentence(dataset.instances);

    expect(sentences).toHaveLength(2);
    expect(sentences[0]?.examples.map((example) => example.predicateIndex)).toEqual([1, 3]);
    expect(sentences[0]?.examples[0]?.labels).toEqual(['ARG0', 'V', 'O', 'ARG1', 'O', 'O']);
    expect(sentences[0]?.examples[1]?.labels).toEqual(['ARG0', 'O', 'O', 'V', 'O', 'ARG1']);
    expect(sentences[1]?.examples[0]?.tokens).toEqual(['Ben', 'left', 'yesterday']);
  });

  it('lists O and V first in the role set', () => {
    const examples = groupBySentence(parseSemanticRoleText(CONLLU).instances).flatMap(
      (sentence) => sentence.examples,
    );

    expect(roleSet(examples)).toEqual(['O', 'V', 'ARG0', 'ARG1', 'ARGM-TMP']);
  });

  it('keeps the predicates of a sentence in one part', () => {
    const sentences: SrlSentence[] = Array.from({ length: 50 }, (_, index) => ({
      examples: [0, 1].map((predicateIndex) => ({
        tokens: [`w${index}`, 'x'],
        predicateIndex,
        labels: predicateIndex === 0 ? ['V', 'ARG1'] : ['ARG0', 'V'],
      })),
    }));
    const options = { testFraction: 0.2, validationFraction: 0.1, seed: 7 };
    const { train, validation, test } = splitSrlSentences(sentences, options);

    expect(test).toHaveLength(20);
    expect(validation).toHaveLength(8);
    expect(train).toHaveLength(72);
    const words = (part: typeof train): Set<string> =>
      new Set(part.map((e) => e.tokens[0] as string));
    const testWords = words(test);
    expect([...words(train)].filter((word) => testWords.has(word))).toEqual([]);
    expect(splitSrlSentences(sentences, options).test).toEqual(test);
  });

  it('rejects split fractions out of range', () => {
    const sentences = groupBySentence(parseSemanticRoleText(CONLLU).instances);

    expect(() =>
      splitSrlSentences(sentences, { testFraction: 1, validationFraction: 0.1, seed: 1 }),
    ).toThrow(/test fraction/);
    expect(() =>
      splitSrlSentences(sentences, { testFraction: 0, validationFraction: 0, seed: 1 }),
    ).toThrow(/validation fraction/);
    expect(() =>
      splitSrlSentences(sentences, { testFraction: 0.5, validationFraction: 0.5, seed: 1 }),
    ).toThrow(/leave none for training/);
  });
});

describe('predicate indicator', () => {
  it('marks only the predicate token', () => {
    expect(predicateIndicator(5, 2)).toEqual([0, 0, 1, 0, 0]);
    expect(predicateIndicator(1, 0)).toEqual([1]);
  });

  it('rejects an index outside the sequence', () => {
    expect(() => predicateIndicator(3, 3)).toThrow(RangeError);
    expect(() => predicateIndicator(3, -1)).toThrow(RangeError);
    expect(() => predicateIndicator(3, 1.5)).toThrow(RangeError);
  });

  it('encodes the same words with a different indicator per predicate', () => {
    const [first, second] =
      groupBySentence(parseSemanticRoleText(CONLLU).instances)[0]?.examples ?? [];
    const vocabulary = Vocabulary.build([['Anna', 'wanted', 'to', 'paint', 'the', 'boat']], {
      minCount: 1,
      maxSize: 100,
    });
    const roles = new Map(['O', 'V', 'ARG0', 'ARG1'].map((role, index) => [role, index]));
    const a = encodeExample(first!, vocabulary, roles, 200);
    const b = encodeExample(second!, vocabulary, roles, 200);

    expect(a.ids).toEqual(b.ids);
    expect(a.indicator).toEqual([0, 1, 0, 0, 0, 0]);
    expect(b.indicator).toEqual([0, 0, 0, 1, 0, 0]);
    expect(a.roles).toEqual([2, 1, 0, 3, 0, 0]);
  });

  it('shifts the indicator in a batch so that 0 is padding', () => {
    const batch = padSrlBatch([
      { ids: [5, 6, 7], indicator: [0, 1, 0], roles: [0, 1, 0] },
      { ids: [8], indicator: [1], roles: [1] },
    ]);

    expect(batch.steps).toBe(3);
    expect([...batch.indicator]).toEqual([1, 2, 1, 2, 0, 0]);
    expect([...batch.mask]).toEqual([1, 1, 1, 1, 0, 0]);
  });
});
