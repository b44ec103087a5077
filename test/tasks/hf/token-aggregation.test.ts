import { describe, expect, it } from 'vitest';
import { aggregateTokens, type ScoredToken } from '../../../src/tasks/hf/token-aggregation.js';

const LABELS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];

/** Scores with `probability` on `label` and the rest spread evenly over the other labels. */
function scoresFor(label: string, probability: number): number[] {
  const rest = (1 - probability) / (LABELS.length - 1);
  return LABELS.map((name) => (name === label ? probability : rest));
}

const TEXT = 'Anna Smith visited Washington';

/**
 * Tokens of TEXT: anna, smith, visited, wash ##ing ##ton. The three pieces of Washington
 * disagree, so first, average and max label that word differently.
 */
const TOKENS: ScoredToken[] = [
  { index: 1, start: 0, end: 4, scores: scoresFor('B-PER', 0.9), isSubword: false },
  { index: 2, start: 5, end: 10, scores: scoresFor('I-PER', 0.8), isSubword: false },
  { index: 3, start: 11, end: 18, scores: scoresFor('O', 0.95), isSubword: false },
  { index: 4, start: 19, end: 23, scores: scoresFor('B-LOC', 0.5), isSubword: false },
  { index: 5, start: 23, end: 26, scores: scoresFor('B-PER', 0.99), isSubword: true },
  { index: 6, start: 26, end: 29, scores: scoresFor('B-LOC', 0.6), isSubword: true },
];

function tokensOf(ignore = ['O']) {
  return aggregateTokens(TEXT, TOKENS, LABELS, 'none', ignore);
}

function groupsOf(strategy: 'simple' | 'first' | 'average' | 'max', ignore = ['O']) {
  return aggregateTokens(TEXT, TOKENS, LABELS, strategy, ignore);
}

describe('aggregateTokens', () => {
  it('none returns each labeled token', () => {
    expect(tokensOf()).toEqual([
      { entity: 'B-PER', score: 0.9, index: 1, word: 'Anna', start: 0, end: 4 },
      { entity: 'I-PER', score: 0.8, index: 2, word: 'Smith', start: 5, end: 10 },
      { entity: 'B-LOC', score: 0.5, index: 4, word: 'Wash', start: 19, end: 23 },
      { entity: 'B-PER', score: 0.99, index: 5, word: 'ing', start: 23, end: 26 },
      { entity: 'B-LOC', score: 0.6, index: 6, word: 'ton', start: 26, end: 29 },
    ]);
  });

  it('none keeps O when ignore_labels is empty', () => {
    const entities = tokensOf([]);
    expect(entities).toHaveLength(6);
    expect(entities[2]).toMatchObject({ entity: 'O', word: 'visited' });
  });

  it('simple groups B and I of one tag', () => {
    const groups = groupsOf('simple');
    expect(groups.map((group) => [group.entity_group, group.word])).toEqual([
      ['PER', 'Anna Smith'],
      ['LOC', 'Wash'],
      ['PER', 'ing'],
      ['LOC', 'ton'],
    ]);
    expect(groups[0]?.score).toBeCloseTo(0.85, 10);
    expect(groups[0]).toMatchObject({ start: 0, end: 10 });
  });

  it('first labels a word by its first token', () => {
    const groups = groupsOf('first');
    expect(groups.map((group) => [group.entity_group, group.word])).toEqual([
      ['PER', 'Anna Smith'],
      ['LOC', 'Washington'],
    ]);
    expect(groups[1]).toMatchObject({ start: 19, end: 29, score: 0.5 });
  });

  it('max labels a word by its most confident token', () => {
    const groups = groupsOf('max');
    expect(groups.map((group) => [group.entity_group, group.word])).toEqual([
      ['PER', 'Anna Smith'],
      ['PER', 'Washington'],
    ]);
    expect(groups[1]?.score).toBeCloseTo(0.99, 10);
  });

  it('average labels a word by its mean scores', () => {
    // Mean B-LOC: (0.5 + 0.0025 + 0.6) / 3 = 0.3675; mean B-PER: (0.125 + 0.99 + 0.1) / 3 = 0.405.
    const groups = groupsOf('average');
    expect(groups.map((group) => [group.entity_group, group.word])).toEqual([
      ['PER', 'Anna Smith'],
      ['PER', 'Washington'],
    ]);
    expect(groups[1]?.score).toBeCloseTo(0.405, 10);
  });

  it('starts a new group at B of the same tag', () => {
    const tokens: ScoredToken[] = [
      { index: 1, start: 0, end: 3, scores: scoresFor('B-PER', 0.9), isSubword: false },
      { index: 2, start: 4, end: 7, scores: scoresFor('B-PER', 0.7), isSubword: false },
      { index: 3, start: 8, end: 11, scores: scoresFor('I-PER', 0.6), isSubword: false },
    ];
    const groups = aggregateTokens('Ann Bob Cai', tokens, LABELS, 'simple', ['O']);
    expect(groups.map((group) => group.word)).toEqual(['Ann', 'Bob Cai']);
    expect(groups[1]?.score).toBeCloseTo(0.65, 10);
  });

  it('groups I after a different tag apart', () => {
    const tokens: ScoredToken[] = [
      { index: 1, start: 0, end: 1, scores: scoresFor('I-LOC', 0.9), isSubword: false },
      { index: 2, start: 1, end: 2, scores: scoresFor('I-PER', 0.9), isSubword: false },
    ];
    const groups = aggregateTokens('北京', tokens, LABELS, 'simple', ['O']);
    expect(groups.map((group) => group.entity_group)).toEqual(['LOC', 'PER']);
  });

  it('keeps O groups when ignore_labels is empty', () => {
    const groups = groupsOf('simple', []);
    expect(groups.map((group) => group.entity_group)).toEqual(['PER', 'O', 'LOC', 'PER', 'LOC']);
    expect(groups[1]?.word).toBe('visited');
  });

  it('drops the ignored groups after grouping', () => {
    const groups = groupsOf('first', ['PER']);
    expect(groups.map((group) => group.entity_group)).toEqual(['O', 'LOC']);
  });

  it('treats labels without a prefix as I', () => {
    const labels = ['O', 'PER'];
    const tokens: ScoredToken[] = [
      { index: 1, start: 0, end: 3, scores: [0.1, 0.9], isSubword: false },
      { index: 2, start: 4, end: 7, scores: [0.2, 0.8], isSubword: false },
    ];
    const groups = aggregateTokens('Ann Bob', tokens, labels, 'simple', ['O']);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ entity_group: 'PER', word: 'Ann Bob', start: 0, end: 7 });
  });
});
