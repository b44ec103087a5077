import { describe, expect, it } from 'vitest';

import {
  computeClassificationReport,
  formatClassificationReport,
} from '../../../src/training/evaluation/classification-report.js';

const LABELS = ['neg', 'neu', 'pos'];
// True labels: three neg, two neu, four pos. No example is predicted neu.
const EXPECTED = [0, 0, 0, 1, 1, 2, 2, 2, 2];
const PREDICTED = [0, 0, 2, 0, 2, 2, 2, 2, 0];

describe('computeClassificationReport', () => {
  const report = computeClassificationReport(LABELS, EXPECTED, PREDICTED);

  it('puts true labels in matrix rows', () => {
    expect(report.confusion_matrix.labels).toEqual(LABELS);
    expect(report.confusion_matrix.rows).toEqual([
      [2, 0, 1],
      [1, 0, 1],
      [1, 0, 3],
    ]);
  });

  it('computes accuracy', () => {
    expect(report.examples).toBe(9);
    expect(report.accuracy).toBe(0.555556);
  });

  it('computes precision, recall and F1 per class', () => {
    // neg: 2 of 4 predicted neg are right, 2 of 3 neg are found, F1 = 4/7.
    expect(report.per_class['neg']).toEqual({
      precision: 0.5,
      recall: 0.666667,
      f1: 0.571429,
      support: 3,
    });
    // pos: 3 of 5 predicted pos are right, 3 of 4 pos are found, F1 = 2/3.
    expect(report.per_class['pos']).toEqual({
      precision: 0.6,
      recall: 0.75,
      f1: 0.666667,
      support: 4,
    });
  });

  it('gives a never-predicted class precision 0', () => {
    expect(report.per_class['neu']).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
  });

  it('averages F1 over classes for macro-F1', () => {
    // (4/7 + 0 + 2/3) / 3, computed from unrounded per-class values.
    expect(report.macro_f1).toBe(0.412698);
  });

  it('rejects predictions of another length', () => {
    expect(() => computeClassificationReport(LABELS, EXPECTED, PREDICTED.slice(1))).toThrow(
      'expected 9 predictions, got 8',
    );
  });

  it('reports zeros for no examples', () => {
    const empty = computeClassificationReport(LABELS, [], []);
    expect(empty.examples).toBe(0);
    expect(empty.accuracy).toBe(0);
    expect(empty.macro_f1).toBe(0);
    expect(empty.per_class['pos']?.support).toBe(0);
  });
});

describe('formatClassificationReport', () => {
  const text = formatClassificationReport(computeClassificationReport(LABELS, EXPECTED, PREDICTED));
  const lines = text.split('\n');
  const cells = (line: string | undefined): string[] => (line ?? '').trim().split(/\s+/);

  it('prints the totals', () => {
    expect(lines[0]).toBe('examples  9');
    expect(lines[1]).toBe('accuracy  55.56%');
    expect(lines[2]).toBe('macro-F1  41.27%');
  });

  it('prints one row per class', () => {
    const rows = lines.filter((line) => /^(neg|neu|pos) .*%/.test(line));
    expect(rows.map(cells)).toEqual([
      ['neg', '50.00%', '66.67%', '57.14%', '3'],
      ['neu', '0.00%', '0.00%', '0.00%', '2'],
      ['pos', '60.00%', '75.00%', '66.67%', '4'],
    ]);
  });

  it('prints the confusion matrix', () => {
    const header = lines.indexOf('confusion matrix (rows: true label, columns: predicted)');
    expect(header).toBeGreaterThan(0);
    expect(cells(lines[header + 1])).toEqual(LABELS);
    expect(lines.slice(header + 2).map(cells)).toEqual([
      ['neg', '2', '0', '1'],
      ['neu', '1', '0', '1'],
      ['pos', '1', '0', '3'],
    ]);
  });

  it('widens the label column for long labels', () => {
    const long = formatClassificationReport(
      computeClassificationReport(['a-very-long-label', 'b'], [0, 1], [0, 1]),
    );
    const [longRow, shortRow] = long
      .split('\n')
      .filter((line) => /^(a-very-long-label|b) .*%/.test(line));
    expect(longRow?.startsWith('a-very-long-label  ')).toBe(true);
    expect(shortRow?.length).toBe(longRow?.length);
  });
});
