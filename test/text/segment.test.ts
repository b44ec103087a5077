import { describe, expect, it } from 'vitest';

import {
  DEFAULT_NORMALIZE_OPTIONS,
  SEGMENTATION_MODES,
  isSegmentationMode,
  iterateTokens,
  normalizeText,
  segment,
  type SegmentationMode,
} from '../../src/text/index.js';
import { createRandom } from '../../src/util/random.js';

const GRAPHEMES = new Intl.Segmenter('zh', { granularity: 'grapheme' });
const WORDS = new Intl.Segmenter('zh', { granularity: 'word' });

function normalizedSegment(text: string, mode: SegmentationMode): string[] {
  return segment(normalizeText(text, DEFAULT_NORMALIZE_OPTIONS), mode);
}

function graphemesOf(text: string): string[] {
  return [...GRAPHEMES.segment(text)].map((cluster) => cluster.segment);
}

/** Segments `text` in one Intl call and merges word segments that split a grapheme. */
function segmentInOneCall(text: string): string[] {
  const clusterStarts = new Set([...GRAPHEMES.segment(text)].map((cluster) => cluster.index));
  clusterStarts.add(text.length);
  const tokens: string[] = [];
  let pending = '';
  for (const { segment: piece, index } of WORDS.segment(text)) {
    pending += piece;
    if (!clusterStarts.has(index + piece.length)) continue;
    if (pending.trim() !== '') tokens.push(pending);
    pending = '';
  }
  return tokens;
}

describe('segmentation modes', () => {
  it('lists word and char', () => {
    expect(SEGMENTATION_MODES).toEqual(['word', 'char']);
  });

  it('recognizes valid modes only', () => {
    expect(isSegmentationMode('word')).toBe(true);
    expect(isSegmentationMode('char')).toBe(true);
    expect(isSegmentationMode('bpe')).toBe(false);
    expect(isSegmentationMode(undefined)).toBe(false);
  });
});

describe('segment Chinese', () => {
  const sentence = '房间很干净，服务也很好';

  it('splits a sentence into words', () => {
    const tokens = normalizedSegment(sentence, 'word');
    expect(tokens).toEqual(['房间', '很', '干净', ',', '服务', '也', '很好']);
  });

  it('never returns the sentence as one token', () => {
    const tokens = segment(sentence, 'word');
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens).not.toContain(sentence);
    expect(tokens.join('')).toBe(sentence);
  });

  it('splits unpunctuated text into words', () => {
    const tokens = segment('房间很干净服务也很好', 'word');
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join('')).toBe('房间很干净服务也很好');
  });

  it('keeps full-width punctuation without normalization', () => {
    expect(segment('很好！', 'word')).toEqual(['很好', '！']);
  });

  it('gives one token per Han character in char mode', () => {
    const tokens = normalizedSegment(sentence, 'char');
    expect(tokens).toEqual(['房', '间', '很', '干', '净', ',', '服', '务', '也', '很', '好']);
  });

  it('splits kana and Hangul per character in char mode', () => {
    expect(segment('ラーメン', 'char')).toEqual(['ラ', 'ー', 'メ', 'ン']);
    expect(segment('안녕하세요 세계', 'char')).toEqual(['안', '녕', '하', '세', '요', '세', '계']);
  });

  it('segments Japanese into words', () => {
    const tokens = segment('東京に行きました。', 'word');
    expect(tokens).toContain('東京');
    expect(tokens.at(-1)).toBe('。');
  });
});

describe('segment English', () => {
  it('keeps words, contractions and punctuation', () => {
    expect(normalizedSegment("I don't like it! It's great.", 'word')).toEqual([
      'I',
      "don't",
      'like',
      'it',
      '!',
      "It's",
      'great',
      '.',
    ]);
  });

  it('keeps numbers with separators whole', () => {
    expect(segment('3.14 and 1,000 items', 'word')).toEqual(['3.14', 'and', '1,000', 'items']);
  });

  it('keeps Latin words whole in char mode', () => {
    expect(segment("Don't stop, 42 times!", 'char')).toEqual([
      "Don't",
      'stop',
      ',',
      '42',
      'times',
      '!',
    ]);
  });
});

describe('segment mixed scripts', () => {
  it('separates Latin, digits and Chinese', () => {
    expect(normalizedSegment('iPhone15真的很好用', 'word')).toEqual([
      'iPhone15',
      '真的',
      '很好',
      '用',
    ]);
  });

  it('keeps Latin runs whole in char mode', () => {
    expect(normalizedSegment('iPhone15真的很好用', 'char')).toEqual([
      'iPhone15',
      '真',
      '的',
      '很',
      '好',
      '用',
    ]);
  });

  it('splits full-width ASCII after normalization', () => {
    expect(normalizedSegment('ＡＢＣ１２３！', 'word')).toEqual(['ABC123', '!']);
  });
});

describe('segment emoji', () => {
  const emoji = ['👍🏽', '👨‍👩‍👧', '❤️', '❤️‍🔥', '🏳️‍🌈', '1️⃣', '🇨🇳', '🇺🇸', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '👨🏽‍🦰'];

  it.each(SEGMENTATION_MODES)('keeps each emoji whole in %s mode', (mode) => {
    const tokens = normalizedSegment(emoji.join(' '), mode);
    expect(tokens).toEqual(emoji);
  });

  it.each(SEGMENTATION_MODES)('keeps adjacent emoji apart in %s mode', (mode) => {
    expect(segment('👍🏽👍🏽🇨🇳🇺🇸', mode)).toEqual(['👍🏽', '👍🏽', '🇨🇳', '🇺🇸']);
  });

  it('separates emoji inside Chinese in word mode', () => {
    expect(normalizedSegment('好吃😋推荐', 'word')).toEqual(['好吃', '😋', '推荐']);
  });

  it('separates emoji inside Chinese in char mode', () => {
    expect(normalizedSegment('好吃😋推荐👨‍👩‍👧', 'char')).toEqual(['好', '吃', '😋', '推', '荐', '👨‍👩‍👧']);
  });

  it('keeps a Hangul cluster that ICU word rules split', () => {
    // Intl.Segmenter word granularity splits U+1100 from U+AC00, which form one cluster.
    expect(segment('x \u1100\uac00', 'word')).toEqual(['x', '\u1100\uac00']);
  });
});

describe('segment empty input', () => {
  it.each(SEGMENTATION_MODES)('returns no tokens for empty text in %s mode', (mode) => {
    expect(segment('', mode)).toEqual([]);
  });

  it.each(SEGMENTATION_MODES)('returns no tokens for whitespace in %s mode', (mode) => {
    expect(segment(' \t\n\u3000 ', mode)).toEqual([]);
  });
});

describe('segment long text', () => {
  it('matches a single Intl.Segmenter call', () => {
    const parts = Array.from(
      { length: 400 },
      (_, i) => `第${i}条：iPhone15很好用👍🏽 I don't like it! `,
    );
    const text = parts.join('') + '房间很干净服务也很好我们下次还会再来'.repeat(400);
    expect(text.length).toBeGreaterThan(20_000);
    expect(segment(text, 'word')).toEqual(segmentInOneCall(text));
  });

  it('matches one call on random mixed text', () => {
    const pieces = ['👍🏽', '👨‍👩‍👧', '❤️', '🇨🇳', '🇺', '🏽', '\u200d', '\ufe0f', '房间', '很', '干净'];
    pieces.push(' ', '，', '!', '.', "'", 'iPhone', '15', '3.14', 'e\u0301', 'ラーメン', '안녕');
    pieces.push('\u1100', '\u0600');
    const random = createRandom(7);
    for (let trial = 0; trial < 40; trial += 1) {
      let text = '';
      while (text.length < 3000) text += pieces[Math.floor(random() * pieces.length)];
      expect(segment(text, 'word'), `trial ${trial}`).toEqual(segmentInOneCall(text));
    }
  });

  it('cuts a 1 MB word without spaces into pieces', () => {
    const text = 'a'.repeat(1_000_000);
    const tokens = segment(text, 'word');
    expect(tokens.join('')).toBe(text);
    expect(Math.max(...tokens.map((token) => token.length))).toBeLessThanOrEqual(256);
  });

  it('keeps emoji whole across window cuts', () => {
    const text = '👨‍👩‍👧'.repeat(20_000);
    const tokens = segment(text, 'word');
    expect(tokens).toHaveLength(20_000);
    expect(new Set(tokens)).toEqual(new Set(['👨‍👩‍👧']));
  });

  it('keeps graphemes whole in a long run of one word', () => {
    const text = 'e\u0301'.repeat(50_000);
    for (const token of segment(text, 'word')) {
      expect(graphemesOf(token).every((cluster) => cluster === 'e\u0301')).toBe(true);
    }
  });

  it('yields the first tokens of 1 MB lazily', () => {
    const text = '房间很干净，服务也很好！'.repeat(90_000);
    const first: string[] = [];
    for (const token of iterateTokens(text, 'word')) {
      first.push(token);
      if (first.length === 4) break;
    }
    expect(first).toEqual(['房间', '很', '干净', '，']);
  });
});
