import { describe, expect, it } from 'vitest';

import { Vocabulary } from '../../../src/text/index.js';
import {
  WORD_FEATURE_PREFIX,
  WORD_SHAPES,
  charNgramIds,
  checkWordFeatureConfig,
  createTokenEncoder,
  encodeWordFeatures,
  featureWidth,
  fnv1a,
  wordFeatureConfig,
  wordKey,
  wordShape,
  type WordFeatureConfig,
} from '../../../src/training/tagging/word-features.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS } from '../../../src/training/tagging/model.js';
import { MaasError } from '../../../src/errors/index.js';

const CONFIG: WordFeatureConfig = { ngram_min: 2, ngram_max: 4, buckets: 1000, max_ngrams: 16 };
const VOCABULARY = Vocabulary.fromTokens(['[PAD]', '[UNK]', 'the', 'germany', '0000']);

describe('wordShape', () => {
  it.each([
    ['the', 'lower'],
    ['EU', 'upper'],
    ['A', 'upper'],
    ['Germany', 'title'],
    ['McDonald', 'mixed'],
    ['iPhone', 'mixed'],
    ['1996', 'digits'],
    ['1996-08-22', 'digits'],
    ['3,000.5', 'digits'],
    ['３', 'digits'],
    ['F-16', 'letters_digits'],
    ['3rd', 'letters_digits'],
    ['.', 'punctuation'],
    ['(', 'punctuation'],
    ['"', 'punctuation'],
    ['$', 'symbol'],
    ['😀', 'symbol'],
    ['👍🏽', 'symbol'],
    ['👨‍👩‍👧', 'symbol'],
    ['北京', 'other'],
    ['', 'other'],
  ])('%j is %s', (token, shape) => {
    expect(wordShape(token)).toBe(shape);
  });

  it('has an id other than padding for every shape', () => {
    expect(WORD_SHAPES[0]).toBe('[PAD]');
    expect(new Set(WORD_SHAPES).size).toBe(WORD_SHAPES.length);
  });
});

describe('wordKey', () => {
  it('lower-cases and folds digits', () => {
    expect(wordKey('Germany')).toBe('germany');
    expect(wordKey('GERMANY')).toBe('germany');
    expect(wordKey('1996')).toBe('0000');
    expect(wordKey('Ｇｅｒｍａｎｙ')).toBe('germany');
  });
});

describe('fnv1a', () => {
  it('matches the published FNV-1a 32-bit values', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });
});

describe('charNgramIds', () => {
  it('covers the 2- to 4-grams of the marked word', () => {
    // "<the>" has 4 bigrams, 3 trigrams and 2 four-grams.
    const ids = charNgramIds('the', CONFIG);
    expect(ids).toHaveLength(9);
    expect(ids[0]).toBe((fnv1a('<t') % 1000) + 1);
    expect(ids[1]).toBe((fnv1a('<th') % 1000) + 1);
    expect(ids).toContain((fnv1a('he>') % 1000) + 1);
    for (const id of ids) {
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(1000);
    }
  });

  it('keeps prefix and suffix n-grams of a long word', () => {
    const ids = charNgramIds('internationalization', CONFIG);
    expect(ids).toHaveLength(16);
    expect(ids[0]).toBe((fnv1a('<i') % 1000) + 1);
    expect(ids.at(-1)).toBe((fnv1a('n>') % 1000) + 1);
  });

  it('never splits an emoji into surrogates', () => {
    const ids = charNgramIds('😀', CONFIG);
    // "<😀>" is three code points: two bigrams and one trigram.
    expect(ids).toEqual([
      (fnv1a('<😀') % 1000) + 1,
      (fnv1a('<😀>') % 1000) + 1,
      (fnv1a('😀>') % 1000) + 1,
    ]);
  });

  it('gives the empty word the n-gram of its marks', () => {
    expect(charNgramIds('', CONFIG)).toEqual([(fnv1a('<>') % 1000) + 1]);
  });
});

describe('encodeWordFeatures', () => {
  it('writes word id, shape id and n-gram ids per token', () => {
    const rows = encodeWordFeatures(['The', 'Germany'], VOCABULARY, CONFIG);
    const width = featureWidth(CONFIG);

    expect(width).toBe(WORD_FEATURE_PREFIX + 16);
    expect(rows).toHaveLength(2 * width);
    expect(rows[0]).toBe(VOCABULARY.idOf('the'));
    expect(rows[1]).toBe(WORD_SHAPES.indexOf('title'));
    expect([...rows.subarray(2, 2 + 9)]).toEqual(charNgramIds('the', CONFIG));
    expect(rows[2 + 9]).toBe(0);
    expect(rows[width]).toBe(VOCABULARY.idOf('germany'));
  });

  it('gives unseen words the unknown id and their own n-grams', () => {
    const rows = encodeWordFeatures(['Kohl', 'Kohlberg'], VOCABULARY, CONFIG);
    const width = featureWidth(CONFIG);

    expect(rows[0]).toBe(Vocabulary.UNK_ID);
    expect(rows[width]).toBe(Vocabulary.UNK_ID);
    const first = new Set(rows.subarray(2, width));
    const second = rows.subarray(width + 2, 2 * width);
    // The shared prefix "<koh" gives shared n-gram ids, so unseen words are not all alike.
    expect(second.filter((id) => id !== 0 && first.has(id)).length).toBeGreaterThanOrEqual(3);
  });

  it('tells casing apart when the word id is the same', () => {
    const rows = encodeWordFeatures(['the', 'THE'], VOCABULARY, CONFIG);
    const width = featureWidth(CONFIG);

    expect(rows[0]).toBe(rows[width]);
    expect(rows[1]).toBe(WORD_SHAPES.indexOf('lower'));
    expect(rows[width + 1]).toBe(WORD_SHAPES.indexOf('upper'));
  });

  it('encodes emoji and empty tokens without padding ids', () => {
    const rows = encodeWordFeatures(['😀', ''], VOCABULARY, CONFIG);
    const width = featureWidth(CONFIG);

    expect(rows[0]).toBe(Vocabulary.UNK_ID);
    expect(rows[1]).toBe(WORD_SHAPES.indexOf('symbol'));
    expect(rows[2]).toBeGreaterThan(0);
    expect(rows[width]).toBe(Vocabulary.UNK_ID);
    expect(rows[width + 1]).toBe(WORD_SHAPES.indexOf('other'));
    expect(rows[width + 2]).toBeGreaterThan(0);
  });

  it('encodes no tokens as no rows', () => {
    expect(encodeWordFeatures([], VOCABULARY, CONFIG)).toHaveLength(0);
  });
});

describe('createTokenEncoder', () => {
  it('gives plain vocabulary ids without features', () => {
    const encoder = createTokenEncoder(VOCABULARY, null);

    expect(encoder.width).toBe(1);
    // Without features the key keeps case, as character taggers always did.
    expect([...encoder.encode(['the', 'The', '1996'])]).toEqual([
      VOCABULARY.idOf('the'),
      Vocabulary.UNK_ID,
      VOCABULARY.idOf('0000'),
    ]);
  });

  it('gives feature rows with features', () => {
    const encoder = createTokenEncoder(VOCABULARY, CONFIG);

    expect(encoder.width).toBe(featureWidth(CONFIG));
    expect(encoder.encode(['The'])).toEqual(encodeWordFeatures(['The'], VOCABULARY, CONFIG));
  });
});

describe('checkWordFeatureConfig', () => {
  it('accepts a valid config', () => {
    expect(checkWordFeatureConfig(CONFIG)).toBeNull();
  });

  it.each([
    ['null', null],
    ['a list', [2, 4]],
    ['a missing field', { ngram_min: 2, ngram_max: 4, buckets: 10 }],
    ['zero buckets', { ...CONFIG, buckets: 0 }],
    ['a fraction', { ...CONFIG, max_ngrams: 1.5 }],
    ['min above max', { ...CONFIG, ngram_min: 5 }],
  ])('rejects %s', (_, value) => {
    expect(checkWordFeatureConfig(value)).toMatch(/positive integers/);
  });
});

describe('wordFeatureConfig', () => {
  const word = { ...DEFAULT_TAGGER_HYPERPARAMETERS, unit: 'word' as const };

  it('returns null for character taggers', () => {
    expect(wordFeatureConfig({ ...word, unit: 'character' })).toBeNull();
  });

  it('returns null with features off', () => {
    expect(wordFeatureConfig({ ...word, characterFeatures: false })).toBeNull();
  });

  it('returns the file fields of word taggers', () => {
    expect(wordFeatureConfig({ ...word, ngramBuckets: 50 })).toEqual({
      ngram_min: word.ngramMin,
      ngram_max: word.ngramMax,
      buckets: 50,
      max_ngrams: word.maxNgrams,
    });
  });

  it.each([
    ['ngramMin 0', { ngramMin: 0 }],
    ['ngramMin above ngramMax', { ngramMin: 5, ngramMax: 3 }],
    ['zero buckets', { ngramBuckets: 0 }],
  ])('rejects %s', (_, settings) => {
    const error = (() => {
      try {
        return wordFeatureConfig({ ...word, ...settings });
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(MaasError);
    expect((error as MaasError).code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect((error as MaasError).message).toContain('--ngram-min');
  });
});
