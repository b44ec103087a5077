import { describe, expect, it } from 'vitest';

import { stratifiedSplit } from '../../../src/training/datasets/index.js';
import { catchMaasError } from './helpers.js';

interface Row {
  id: number;
  label: string;
}

/** Builds rows with `counts[label]` rows per label, interleaved so that labels are mixed. */
function buildRows(counts: Record<string, number>): Row[] {
  const rows: Row[] = [];
  const remaining = new Map(Object.entries(counts));
  while ([...remaining.values()].some((count) => count > 0)) {
    for (const [label, count] of remaining) {
      if (count > 0) {
        rows.push({ id: rows.length, label });
        remaining.set(label, count - 1);
      }
    }
  }
  return rows;
}

function countLabels(rows: readonly Row[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    counts[row.label] = (counts[row.label] ?? 0) + 1;
  }
  return counts;
}

describe('stratifiedSplit', () => {
  const rows = buildRows({ pos: 100, neg: 50, neutral: 10 });

  it('keeps label proportions', () => {
    const { train, validation } = stratifiedSplit(rows, { validationFraction: 0.2, seed: 7 });
    expect(countLabels(validation)).toEqual({ pos: 20, neg: 10, neutral: 2 });
    expect(countLabels(train)).toEqual({ pos: 80, neg: 40, neutral: 8 });
  });

  it('uses every row exactly once', () => {
    const { train, validation } = stratifiedSplit(rows, { validationFraction: 0.25, seed: 1 });
    const ids = [...train, ...validation].map((row) => row.id).sort((a, b) => a - b);
    expect(ids).toEqual(rows.map((row) => row.id));
  });

  it('keeps the input order', () => {
    const { train, validation } = stratifiedSplit(rows, { validationFraction: 0.3, seed: 3 });
    const isIncreasing = (part: Row[]) =>
      part.every((row, i) => i === 0 || row.id > part[i - 1]!.id);
    expect(isIncreasing(train)).toBe(true);
    expect(isIncreasing(validation)).toBe(true);
  });

  it('repeats a split for one seed', () => {
    const first = stratifiedSplit(rows, { validationFraction: 0.2, seed: 42 });
    const second = stratifiedSplit(rows, { validationFraction: 0.2, seed: 42 });
    expect(second).toEqual(first);
  });

  it('changes the split with the seed', () => {
    const first = stratifiedSplit(rows, { validationFraction: 0.2, seed: 42 });
    const other = stratifiedSplit(rows, { validationFraction: 0.2, seed: 43 });
    expect(other.validation.map((row) => row.id)).not.toEqual(
      first.validation.map((row) => row.id),
    );
  });

  it('does not modify the input', () => {
    const copy = rows.map((row) => ({ ...row }));
    stratifiedSplit(rows, { validationFraction: 0.5, seed: 9 });
    expect(rows).toEqual(copy);
  });

  it('handles labels with one or two rows', () => {
    const small = buildRows({ single: 1, pair: 2, many: 20 });
    const { train, validation } = stratifiedSplit(small, { validationFraction: 0.1, seed: 5 });
    expect(countLabels(validation)).toEqual({ pair: 1, many: 2 });
    expect(countLabels(train)).toEqual({ single: 1, pair: 1, many: 18 });
  });

  it('leaves each label in training', () => {
    const small = buildRows({ pair: 2, triple: 3 });
    const { train, validation } = stratifiedSplit(small, { validationFraction: 0.9, seed: 5 });
    expect(countLabels(validation)).toEqual({ pair: 1, triple: 2 });
    expect(countLabels(train)).toEqual({ pair: 1, triple: 1 });
  });

  it.each([0, 1, -0.1, 1.5, Number.NaN])('rejects fraction %d', (validationFraction) => {
    const error = catchMaasError(() => stratifiedSplit(rows, { validationFraction, seed: 1 }));
    expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect(error.param).toBe('validationFraction');
  });

  it('rejects a non-integer seed', () => {
    const error = catchMaasError(() =>
      stratifiedSplit(rows, { validationFraction: 0.2, seed: 1.5 }),
    );
    expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect(error.param).toBe('seed');
  });
});
