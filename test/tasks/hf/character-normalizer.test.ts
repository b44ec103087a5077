import { describe, expect, it } from 'vitest';
import {
  bertCharacterNormalizer,
  characterNormalizerFromTokenizerJson,
} from '../../../src/tasks/hf/character-normalizer.js';

describe('bertCharacterNormalizer', () => {
  const normalize = bertCharacterNormalizer({ lowercase: true, strip_accents: null });

  it('lowercases and strips accents', () => {
    expect(normalize('É')).toBe('e');
    expect(normalize('Ａ')).toBe('ａ');
  });

  it('spaces CJK characters', () => {
    expect(normalize('京')).toBe(' 京 ');
  });

  it('removes controls and keeps emoji', () => {
    expect(normalize('\u200D')).toBe('');
    expect(normalize('\u0000')).toBe('');
    expect(normalize('😀')).toBe('😀');
    expect(normalize('\uFE0F')).toBe('');
  });

  it('turns whitespace into a space', () => {
    expect(normalize('\t')).toBe(' ');
    expect(normalize('\u3000')).toBe(' ');
  });

  it('keeps accents when strip_accents is false', () => {
    expect(bertCharacterNormalizer({ lowercase: true, strip_accents: false })('É')).toBe('é');
  });

  it('strips accents without lowercasing', () => {
    expect(bertCharacterNormalizer({ lowercase: false, strip_accents: true })('É')).toBe('E');
  });
});

describe('characterNormalizerFromTokenizerJson', () => {
  it('returns identity for null', () => {
    expect(characterNormalizerFromTokenizerJson(null)('É')).toBe('É');
  });

  it('composes a Sequence', () => {
    const normalize = characterNormalizerFromTokenizerJson({
      type: 'Sequence',
      normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }],
    });
    expect(normalize('Ａ')).toBe('a');
  });
});
