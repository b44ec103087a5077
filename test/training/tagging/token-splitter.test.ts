import { describe, expect, it } from 'vitest';

import { splitTokens, tokenKey } from '../../../src/training/tagging/token-splitter.js';

function texts(text: string, unit: 'character' | 'word'): string[] {
  return splitTokens(text, unit).map((token) => token.text);
}

describe('splitTokens', () => {
  it('splits Chinese into characters', () => {
    expect(texts('张伟 在成都', 'character')).toEqual(['张', '伟', '在', '成', '都']);
  });

  it('keeps emoji sequences whole', () => {
    expect(texts('👍🏽👨‍👩‍👧好', 'character')).toEqual(['👍🏽', '👨‍👩‍👧', '好']);
  });

  it('skips invisible characters', () => {
    const tokens = splitTokens('\ufeff王\u200b\u200b小\u202e明\u0000\ud800', 'character');

    expect(tokens.map((token) => token.text)).toEqual(['王', '小', '明']);
    expect(tokens.map((token) => token.start)).toEqual([1, 4, 6]);
  });

  it('drops the space before a combining mark', () => {
    const text = 'a \u0301b';
    const tokens = splitTokens(text, 'character');

    expect(tokens.map((token) => text.slice(token.start, token.end))).toEqual(['a', '\u0301', 'b']);
  });

  it('splits words and each punctuation mark', () => {
    expect(texts('EU rejects (German) call.', 'word')).toEqual([
      'EU',
      'rejects',
      '(',
      'German',
      ')',
      'call',
      '.',
    ]);
  });

  it('gives offsets that slice the input', () => {
    const text = '😀 Peter Blackburn 在北京, 2026! ';
    for (const unit of ['character', 'word'] as const) {
      for (const token of splitTokens(text, unit)) {
        expect(text.slice(token.start, token.end)).toBe(token.text);
      }
    }
  });

  it('returns nothing for empty or blank text', () => {
    expect(splitTokens('', 'character')).toEqual([]);
    expect(splitTokens(' \t\n\u3000', 'word')).toEqual([]);
  });
});

describe('tokenKey', () => {
  it('folds full-width forms and digits', () => {
    expect(tokenKey('Ａ')).toBe('A');
    expect(tokenKey('２０２６')).toBe('0000');
    expect(tokenKey('1999')).toBe('0000');
    expect(tokenKey('北')).toBe('北');
  });
});
