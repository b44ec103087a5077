import { describe, expect, it } from 'vitest';
import { bertCharacterNormalizer } from '../../../src/tasks/hf/character-normalizer.js';
import { alignTokens, type TokenSpan } from '../../../src/tasks/hf/token-alignment.js';

const uncased = { normalizeCharacter: bertCharacterNormalizer({ lowercase: true }) };

/** Aligns and returns the original text of each token, or null where alignment failed. */
function slices(text: string, tokens: string[], options = uncased): (string | null)[] {
  return alignTokens(text, tokens, options).map((span) =>
    span === null ? null : text.slice(span.start, span.end),
  );
}

function spans(text: string, tokens: string[], options = uncased): (TokenSpan | null)[] {
  return alignTokens(text, tokens, options);
}

describe('alignTokens', () => {
  it('aligns lowercased English words', () => {
    expect(spans('Hello World', ['hello', 'world'])).toEqual([
      { start: 0, end: 5 },
      { start: 6, end: 11 },
    ]);
  });

  it('joins ## pieces to their word', () => {
    expect(spans('Playing', ['play', '##ing'])).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 7 },
    ]);
  });

  it('aligns Chinese characters one by one', () => {
    const text = '我在北京大学';
    expect(slices(text, [...text])).toEqual([...text]);
    expect(spans(text, [...text]).map((span) => span?.start)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('counts emoji as two UTF-16 units', () => {
    const text = 'hi 😀👍!';
    expect(spans(text, ['hi', '😀', '##👍', '!'])).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 5 },
      { start: 5, end: 7 },
      { start: 7, end: 8 },
    ]);
  });

  it('keeps a variation selector with its emoji', () => {
    expect(slices('I ❤️ NY', ['i', '❤', 'ny'])).toEqual(['I', '❤️', 'NY']);
  });

  it('maps full-width letters lowercased', () => {
    expect(slices('ＡＢＣ公司', ['ａｂｃ', '公', '司'])).toEqual(['ＡＢＣ', '公', '司']);
  });

  it('maps full-width punctuation', () => {
    expect(slices('好，很好！', ['好', '，', '很', '好', '！'])).toEqual([
      '好',
      '，',
      '很',
      '好',
      '！',
    ]);
  });

  it('maps precomposed accents to stripped tokens', () => {
    expect(slices('Café José', ['cafe', 'jose'])).toEqual(['Café', 'José']);
  });

  it('keeps combining accents inside the span', () => {
    const text = 'Cafe\u0301 x';
    expect(spans(text, ['cafe', 'x'])).toEqual([
      { start: 0, end: 5 },
      { start: 6, end: 7 },
    ]);
  });

  it('spans [UNK] over the whole unknown word', () => {
    const text = 'the Ωmega-x thing';
    expect(slices(text, ['the', '[UNK]', '-', 'x', 'thing'])).toEqual([
      'the',
      'Ωmega',
      '-',
      'x',
      'thing',
    ]);
  });

  it('spans [UNK] over full-width letters', () => {
    expect(slices('Ａｂ 公司', ['[UNK]', '公', '司'])).toEqual(['Ａｂ', '公', '司']);
  });

  it('spans [UNK] over one unknown CJK character', () => {
    expect(slices('我龘你', ['我', '[UNK]', '你'])).toEqual(['我', '龘', '你']);
  });

  it('gives repeated names their own offsets', () => {
    const text = 'Anna met Anna and ANNA';
    expect(spans(text, ['anna', 'met', 'anna', 'and', 'anna'])).toEqual([
      { start: 0, end: 4 },
      { start: 5, end: 8 },
      { start: 9, end: 13 },
      { start: 14, end: 17 },
      { start: 18, end: 22 },
    ]);
  });

  it('gives repeated Chinese names their own offsets', () => {
    const text = '张三和张三';
    expect(spans(text, [...text]).map((span) => span?.start)).toEqual([0, 1, 2, 3, 4]);
  });

  it('matches added tokens verbatim', () => {
    const options = { ...uncased, addedTokens: new Set(['[MASK]']) };
    expect(slices('The [MASK] is Mask', ['the', '[MASK]', 'is', 'mask'], options)).toEqual([
      'The',
      '[MASK]',
      'is',
      'Mask',
    ]);
  });

  it('skips characters the normalizer removes', () => {
    expect(slices('a\u200Db c', ['ab', 'c'])).toEqual(['a\u200Db', 'c']);
  });

  it('treats tabs and newlines as spaces', () => {
    expect(slices('one\n\ttwo', ['one', 'two'])).toEqual(['one', 'two']);
  });

  it('matches a final sigma lowercased per string', () => {
    expect(slices('ΟΔΟΣ', ['οδος'])).toEqual(['ΟΔΟΣ']);
  });

  it('keeps case with a cased normalizer', () => {
    const cased = { normalizeCharacter: bertCharacterNormalizer({ lowercase: false }) };
    expect(slices('New york', ['New', 'york'], cased)).toEqual(['New', 'york']);
    expect(slices('New york', ['new'], cased)).toEqual([null]);
  });

  it('returns null for a token not in the text', () => {
    expect(spans('abc', ['abc', 'xyz'])).toEqual([{ start: 0, end: 3 }, null]);
  });

  it('resynchronizes after an unplaceable token', () => {
    expect(slices('red blue', ['green', 'blue'])).toEqual([null, 'blue']);
  });
});
