import { describe, expect, it } from 'vitest';

import { paddedTokens, selectBatch } from '../../src/serving/scheduler/index.js';

interface Entry {
  id: string;
  length: number;
}

function queueOf(lengths: number[]): Entry[] {
  return lengths.map((length, index) => ({ id: `e${index}`, length }));
}

function idsOf(entries: readonly Entry[]): string[] {
  return entries.map((entry) => entry.id);
}

const LARGE = { maxBatchSize: 32, maxBatchTokens: 16_384 };

describe('selectBatch', () => {
  it('takes the whole queue when it fits', () => {
    const selection = selectBatch(queueOf([3, 1, 2]), LARGE);

    expect(idsOf(selection.entries)).toEqual(['e1', 'e2', 'e0']);
    expect(selection.longest).toBe(3);
    expect(selection.full).toBe(false);
  });

  it('keeps queue order among equal lengths', () => {
    const selection = selectBatch(queueOf([2, 2, 1, 2]), LARGE);

    expect(idsOf(selection.entries)).toEqual(['e2', 'e0', 'e1', 'e3']);
  });

  it('always includes the oldest entry', () => {
    // The three short entries would pad to 3 tokens, but only one fits beside the oldest.
    const selection = selectBatch(queueOf([50, 1, 1, 1]), {
      maxBatchSize: 4,
      maxBatchTokens: 100,
    });

    expect(idsOf(selection.entries)).toEqual(['e1', 'e0']);
    expect(selection.full).toBe(true);
  });

  it('runs an oversized oldest entry alone', () => {
    const selection = selectBatch(queueOf([500, 1]), { maxBatchSize: 4, maxBatchTokens: 100 });

    expect(idsOf(selection.entries)).toEqual(['e0']);
    expect(selection.full).toBe(true);
  });

  it('prefers the closest lengths', () => {
    const selection = selectBatch(queueOf([10, 1, 30, 9, 12, 11]), {
      maxBatchSize: 3,
      maxBatchTokens: 1000,
    });

    expect(idsOf(selection.entries)).toEqual(['e3', 'e0', 'e5']);
  });

  it('skips a candidate that breaks the budget', () => {
    // e1 is closest to e0 but 3 × 20 > 40; the shorter e2 still fits.
    const selection = selectBatch(queueOf([10, 20, 2, 10]), {
      maxBatchSize: 8,
      maxBatchTokens: 40,
    });

    expect(idsOf(selection.entries)).toEqual(['e2', 'e0', 'e3']);
    expect(selection.longest).toBe(10);
    expect(paddedTokens(selection.entries.length, selection.longest)).toBeLessThanOrEqual(40);
  });

  it('marks a batch full by count', () => {
    const selection = selectBatch(queueOf([1, 1]), { maxBatchSize: 2, maxBatchTokens: 1000 });

    expect(selection.entries).toHaveLength(2);
    expect(selection.full).toBe(true);
  });

  it('marks a batch full by tokens', () => {
    // One more input of any length would make 3 × 5 = 15 > 12 tokens.
    const selection = selectBatch(queueOf([5, 5]), { maxBatchSize: 8, maxBatchTokens: 12 });

    expect(selection.entries).toHaveLength(2);
    expect(selection.full).toBe(true);
  });

  it('rejects an empty queue', () => {
    expect(() => selectBatch([], LARGE)).toThrow(RangeError);
  });
});

describe('paddedTokens', () => {
  it('multiplies size by the longest length', () => {
    expect(paddedTokens(4, 7)).toBe(28);
  });

  it('counts at least one token per row', () => {
    expect(paddedTokens(3, 0)).toBe(3);
  });
});

describe('selectBatch padding bound', () => {
  it('leaves out inputs that would pad the batch past the ratio', () => {
    const queue = [10, 11, 12, 40, 9].map((length) => ({ length }));
    const { entries, full } = selectBatch(queue, {
      maxBatchSize: 8,
      maxBatchTokens: 1000,
      maxPaddingRatio: 1.5,
    });
    expect(entries.map((entry) => entry.length)).toEqual([9, 10, 11, 12]);
    expect(full).toBe(true);
  });

  it('still takes the oldest input alone', () => {
    const queue = [400, 2, 3].map((length) => ({ length }));
    const { entries } = selectBatch(queue, {
      maxBatchSize: 8,
      maxBatchTokens: 10_000,
      maxPaddingRatio: 1.5,
    });
    expect(entries.map((entry) => entry.length)).toEqual([400]);
  });
});
