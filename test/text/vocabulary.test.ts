import { describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary } from '../../src/text/index.js';

const NO_LIMIT = { minCount: 1, maxSize: 1000 };

function captureError(action: () => unknown): MaasError {
  try {
    action();
  } catch (error) {
    if (error instanceof MaasError) return error;
    throw error;
  }
  throw new Error('expected a MaasError, but nothing was thrown');
}

describe('Vocabulary reserved ids', () => {
  it('reserves [PAD] at 0 and [UNK] at 1', () => {
    expect([PAD_TOKEN, PAD_ID, UNK_TOKEN, UNK_ID]).toEqual(['[PAD]', 0, '[UNK]', 1]);
    expect(Vocabulary.PAD_TOKEN).toBe('[PAD]');
    expect(Vocabulary.UNK_ID).toBe(1);
  });

  it('puts reserved tokens first in a built vocabulary', () => {
    const vocabulary = Vocabulary.build([['好']], NO_LIMIT);
    expect(vocabulary.tokens()).toEqual(['[PAD]', '[UNK]', '好']);
    expect(vocabulary.idOf('[PAD]')).toBe(0);
    expect(vocabulary.idOf('[UNK]')).toBe(1);
  });

  it('does not count reserved tokens found in data', () => {
    const vocabulary = Vocabulary.build([['[PAD]', '[UNK]', 'a', '[PAD]']], NO_LIMIT);
    expect(vocabulary.tokens()).toEqual(['[PAD]', '[UNK]', 'a']);
  });
});

describe('Vocabulary.build', () => {
  const lists = [
    ['很', '好', '!'],
    ['很', '好', '好'],
    ['不', '好', '!'],
  ];

  it('orders tokens by count', () => {
    const vocabulary = Vocabulary.build(lists, NO_LIMIT);
    expect(vocabulary.tokens()).toEqual(['[PAD]', '[UNK]', '好', '!', '很', '不']);
  });

  it('drops tokens below minCount', () => {
    const vocabulary = Vocabulary.build(lists, { minCount: 2, maxSize: 1000 });
    expect(vocabulary.tokens()).toEqual(['[PAD]', '[UNK]', '好', '!', '很']);
  });

  it('counts reserved ids in maxSize', () => {
    const vocabulary = Vocabulary.build(lists, { minCount: 1, maxSize: 4 });
    expect(vocabulary.tokens()).toEqual(['[PAD]', '[UNK]', '好', '!']);
    expect(vocabulary.size).toBe(4);
  });

  it('keeps only reserved ids with maxSize 2', () => {
    expect(Vocabulary.build(lists, { minCount: 1, maxSize: 2 }).tokens()).toEqual([
      '[PAD]',
      '[UNK]',
    ]);
  });

  it('breaks ties by UTF-16 code-unit order', () => {
    // U+1F600 is stored as U+D83D U+DE00, so it sorts before U+FF5A by code unit but after it
    // by code point.
    const vocabulary = Vocabulary.build([['ｚ', 'b', '😀', 'a', 'Z', 'é']], NO_LIMIT);
    expect(vocabulary.tokens().slice(2)).toEqual(['Z', 'a', 'b', 'é', '😀', 'ｚ']);
  });

  it('gives the same ids for any input order', () => {
    const first = Vocabulary.build(lists, NO_LIMIT);
    const second = Vocabulary.build([...lists].reverse(), NO_LIMIT);
    expect(second.tokens()).toEqual(first.tokens());
  });

  it('accepts a generator of token lists', () => {
    function* generate(): Generator<string[]> {
      yield ['a'];
      yield ['a', 'b'];
    }
    expect(Vocabulary.build(generate(), NO_LIMIT).tokens()).toEqual(['[PAD]', '[UNK]', 'a', 'b']);
  });

  it.each([
    ['minCount', { minCount: 0, maxSize: 10 }],
    ['minCount', { minCount: 1.5, maxSize: 10 }],
    ['maxSize', { minCount: 1, maxSize: 1 }],
    ['maxSize', { minCount: 1, maxSize: Number.NaN }],
  ])('rejects an invalid %s', (param, options) => {
    const error = captureError(() => Vocabulary.build(lists, options));
    expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect(error.param).toBe(param);
    expect(error.message).toContain(param);
  });
});

describe('Vocabulary lookups', () => {
  const vocabulary = Vocabulary.fromTokens(['[PAD]', '[UNK]', '好', '!']);

  it('maps known tokens to their ids', () => {
    expect(vocabulary.idOf('好')).toBe(2);
    expect(vocabulary.idOf('!')).toBe(3);
  });

  it('maps unknown tokens to [UNK]', () => {
    expect(vocabulary.idOf('坏')).toBe(UNK_ID);
    expect(vocabulary.idOf('')).toBe(UNK_ID);
  });

  it('maps ids back to tokens', () => {
    expect(vocabulary.tokenOf(0)).toBe('[PAD]');
    expect(vocabulary.tokenOf(3)).toBe('!');
  });

  it.each([-1, 4, 1.5, Number.NaN])('rejects token id %s', (id) => {
    expect(() => vocabulary.tokenOf(id)).toThrow(RangeError);
  });

  it('reports its size', () => {
    expect(vocabulary.size).toBe(4);
  });

  it('returns a frozen token list', () => {
    expect(Object.isFrozen(vocabulary.tokens())).toBe(true);
  });
});

describe('Vocabulary.fromTokens', () => {
  it('copies the input array', () => {
    const tokens = ['[PAD]', '[UNK]', 'a'];
    const vocabulary = Vocabulary.fromTokens(tokens);
    tokens.push('b');
    expect(vocabulary.size).toBe(3);
  });

  it.each([
    ['missing [PAD]', ['[UNK]', 'a'], 'vocabulary[0] must be "[PAD]"'],
    ['misplaced [UNK]', ['[PAD]', 'a', '[UNK]'], 'vocabulary[1] must be "[UNK]"'],
    ['empty list', [], 'vocabulary[0] must be "[PAD]"'],
    ['duplicate token', ['[PAD]', '[UNK]', 'a', 'b', 'a'], 'vocabulary[4] repeats vocabulary[2]'],
    ['repeated reserved token', ['[PAD]', '[UNK]', '[PAD]'], 'vocabulary[2] repeats vocabulary[0]'],
    ['empty token', ['[PAD]', '[UNK]', ''], 'vocabulary[2] must be a non-empty string'],
    ['number token', ['[PAD]', '[UNK]', 5], 'vocabulary[2] must be a non-empty string, got 5'],
  ])('rejects %s', (_name, tokens, message) => {
    const error = captureError(() => Vocabulary.fromTokens(tokens as string[]));
    expect(error.code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect(error.param).toBe('vocabulary');
    expect(error.message).toContain(message);
  });
});
