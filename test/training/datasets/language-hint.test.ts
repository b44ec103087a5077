import { describe, expect, it } from 'vitest';

import { guessLanguage } from '../../../src/training/datasets/language-hint.js';

describe('guessLanguage', () => {
  it.each([
    ['房间很干净，服务也很好', 'zh'],
    ['同樣的結果也不一樣', 'zh'],
    ['この部屋はとてもきれいです', 'ja'],
    ['방이 아주 깨끗해요', 'ko'],
    ['The room is clean and the staff is kind.', 'en'],
    ['La chambre était propre et calme.', 'latin'],
    ['12345 !!! 😀', 'unknown'],
    ['', 'unknown'],
  ])('guesses %j as %s', (text, expected) => {
    expect(guessLanguage(text)).toBe(expected);
  });

  it('guesses Chinese with English words', () => {
    expect(guessLanguage('这个 iPhone 的屏幕很好，电池也不错')).toBe('zh');
  });
});
