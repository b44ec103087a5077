import { describe, expect, it } from 'vitest';

import {
  DEFAULT_NORMALIZE_OPTIONS,
  NO_NGRAMS,
  Tokenizer,
  charNgramFeature,
  hasNgrams,
  withNgrams,
  type TokenizerConfig,
} from '../../src/text/index.js';

describe('withNgrams', () => {
  it('adds word bigrams after the token that ends them', () => {
    expect([...withNgrams(['房间', '很', '干净'], { word: 2, char: 0 })]).toEqual([
      ...['房间', '很', '房间 很', '干净', '很 干净'],
    ]);
  });

  it('adds every word n-gram up to the order', () => {
    expect([...withNgrams(['a', 'b', 'c'], { word: 3, char: 0 })]).toEqual([
      ...['a', 'b', 'a b', 'c', 'b c', 'a b c'],
    ]);
  });

  it('adds character n-grams across token boundaries, shortest first', () => {
    expect([...withNgrams(['很好', '!'], { word: 1, char: 2 })]).toEqual([
      ...['很好', '<很>', '<好>', '<很好>', '!', '<!>', '<好!>'],
    ]);
  });

  it('counts an emoji as one character', () => {
    const family = '👨\u200d👩\u200d👧';
    const thumbs = '👍🏽';
    expect([...withNgrams([thumbs, family], { word: 1, char: 2 })]).toEqual([
      thumbs,
      charNgramFeature(thumbs),
      family,
      charNgramFeature(family),
      charNgramFeature(thumbs + family),
    ]);
  });

  it('yields the tokens unchanged without n-grams', () => {
    expect(hasNgrams(NO_NGRAMS)).toBe(false);
    expect([...withNgrams(['a', 'b'], NO_NGRAMS)]).toEqual(['a', 'b']);
  });

  it('splits characters as Intl.Segmenter does', () => {
    const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });
    const pieces = [
      'a',
      'é',
      'e\u0301',
      '房',
      'か\u3099',
      '〪',
      '한',
      '👍🏽',
      '❤\ufe0f',
      'ʰ',
      '〇',
      'Z',
    ];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed;
    };
    for (let round = 0; round < 300; round++) {
      const token = Array.from(
        { length: 1 + (next() % 6) },
        () => pieces[next() % pieces.length],
      ).join('');
      const expected = Array.from(segmenter.segment(token), (part) =>
        charNgramFeature(part.segment),
      );
      expect([...withNgrams([token], { word: 1, char: 1 })].slice(1)).toEqual(expected);
    }
  });

  it('yields nothing for no tokens', () => {
    expect([...withNgrams([], { word: 3, char: 3 })]).toEqual([]);
  });
});

describe('Tokenizer with n-grams', () => {
  const config: TokenizerConfig = {
    normalize: DEFAULT_NORMALIZE_OPTIONS,
    segmentation: 'word',
    maxLength: 64,
    ngrams: { word: 2, char: 2 },
  };
  const corpus = ['房间很干净', '服务很好', '房间很小'];

  it('counts n-grams in the vocabulary and encodes them', () => {
    const tokenizer = Tokenizer.train(corpus, config, { minCount: 2, maxSize: 100 });
    // Features seen at least twice: 房间 starts two texts, 很 follows 间 twice.
    expect([...tokenizer.vocabulary.tokens()].sort()).toEqual(
      ['[PAD]', '[UNK]', '<很>', '<房>', '<房间>', '<间>', '<间很>', '房间'].sort(),
    );
    expect(tokenizer.tokenize('房间很干净')).toEqual([
      ...['房间', '<房>', '<间>', '<房间>', '很', '房间 很', '<很>', '<间很>'],
      ...['干净', '很 干净', '<干>', '<很干>', '<净>', '<干净>'],
    ]);
    const tokens = tokenizer.vocabulary.tokens();
    const { ids } = tokenizer.encode('房间很小');
    expect(ids.map((id) => tokens[id])).toEqual([
      ...['房间', '<房>', '<间>', '<房间>', '[UNK]', '[UNK]', '<很>', '<间很>'],
      ...['[UNK]', '[UNK]'],
    ]);
  });

  it('truncates features in text order', () => {
    const tokenizer = Tokenizer.train(
      corpus,
      { ...config, maxLength: 4 },
      {
        minCount: 1,
        maxSize: 100,
      },
    );
    const encoding = tokenizer.encode('房间很干净');
    expect(encoding.truncated).toBe(true);
    expect(encoding.ids.map((id) => tokenizer.vocabulary.tokens()[id])).toEqual(
      tokenizer.tokenize('房间很干净').slice(0, 4),
    );
    expect(tokenizer.tokenize('房间很干净').slice(0, 4)).toEqual([
      '房间',
      '<房>',
      '<间>',
      '<房间>',
    ]);
  });

  it('keeps n-gram settings through tokenizer.json', () => {
    const tokenizer = Tokenizer.train(corpus, config, { minCount: 1, maxSize: 100 });
    const file = JSON.parse(JSON.stringify(tokenizer));
    expect(file.ngrams).toEqual({ word: 2, char: 2 });
    const loaded = Tokenizer.fromJSON(file);
    expect(loaded.encode('房间很好😋')).toEqual(tokenizer.encode('房间很好😋'));
  });

  it('writes no ngrams field for tokens only', () => {
    const tokenizer = Tokenizer.train(
      corpus,
      { ...config, ngrams: NO_NGRAMS },
      {
        minCount: 1,
        maxSize: 100,
      },
    );
    expect(JSON.parse(JSON.stringify(tokenizer))).not.toHaveProperty('ngrams');
  });

  it.each([
    ['ngrams.word', { word: 0, char: 0 }],
    ['ngrams.char', { word: 1, char: 6 }],
    ['ngrams.char', { word: 1, char: 1.5 }],
  ])('rejects an invalid %s', (param, ngrams) => {
    expect(() =>
      Tokenizer.train(corpus, { ...config, ngrams }, { minCount: 1, maxSize: 9 }),
    ).toThrowError(expect.objectContaining({ code: 'MAAS_ERR_TRAINING_INVALID', param }));
  });

  it.each([
    ['ngrams.word', { word: 'two', char: 0 }],
    ['ngrams.char', { word: 2, char: -1 }],
    ['ngrams', 'word'],
  ])('rejects a tokenizer file with an invalid %s', (param, ngrams) => {
    const tokenizer = Tokenizer.train(corpus, config, { minCount: 1, maxSize: 100 });
    const file = { ...JSON.parse(JSON.stringify(tokenizer)), ngrams };
    expect(() => Tokenizer.fromJSON(file)).toThrowError(
      expect.objectContaining({ code: 'MAAS_ERR_ARTIFACT_INVALID', param }),
    );
  });
});
