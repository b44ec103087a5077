import { describe, expect, it } from 'vitest';

import { computeStatistics, countCodePoints } from '../../../src/training/datasets/index.js';

function examplesOfLengths(lengths: number[], label = 'x'): { text: string; label: string }[] {
  return lengths.map((length) => ({ text: 'a'.repeat(length), label }));
}

describe('countCodePoints', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['你好', 2],
    ['😀', 1],
    ['👍🏽', 2],
    ['e\u0301', 2],
    ['\ud800', 1],
    ['a\udc00b', 3],
  ])('counts %j as %i', (text, expected) => {
    expect(countCodePoints(text)).toBe(expected);
  });
});

describe('computeStatistics', () => {
  it('computes nearest-rank percentiles', () => {
    const stats = computeStatistics(examplesOfLengths([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]));
    expect(stats.rows).toBe(10);
    expect(stats.textLength).toEqual({ min: 1, p50: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
  });

  it('computes percentiles of 200 lengths', () => {
    const lengths = Array.from({ length: 200 }, (_, index) => index + 1);
    const stats = computeStatistics(examplesOfLengths(lengths));
    expect(stats.textLength).toEqual({
      min: 1,
      p50: 100,
      p90: 180,
      p99: 198,
      max: 200,
      mean: 100.5,
    });
  });

  it('measures code points, not UTF-16 units', () => {
    const stats = computeStatistics([
      { text: '😀😀', label: 'a' },
      { text: '好吃', label: 'a' },
      { text: 'good', label: 'b' },
    ]);
    expect(stats.textLength).toEqual({ min: 2, p50: 2, p90: 4, p99: 4, max: 4, mean: 8 / 3 });
  });

  it('counts labels in sorted order', () => {
    const stats = computeStatistics([
      ...examplesOfLengths([1, 1, 1], 'pos'),
      ...examplesOfLengths([1], '__proto__'),
      ...examplesOfLengths([1, 1], 'neg'),
    ]);
    expect(Object.keys(stats.labelCounts)).toEqual(['__proto__', 'neg', 'pos']);
    expect(stats.labelCounts['pos']).toBe(3);
    expect(stats.labelCounts['neg']).toBe(2);
    expect(Object.hasOwn(stats.labelCounts, '__proto__')).toBe(true);
    expect(stats.labelCounts['__proto__']).toBe(1);
  });

  it('returns zeros without examples', () => {
    const stats = computeStatistics([]);
    expect(stats).toEqual({
      rows: 0,
      labelCounts: {},
      textLength: { min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 },
    });
  });
});
