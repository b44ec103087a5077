import { describe, expect, it } from 'vitest';
import {
  computeArgumentReport,
  formatArgumentReport,
  isArgumentRole,
} from '../../../src/training/evaluation/argument-report.js';

describe('computeArgumentReport', () => {
  it('scores a perfect prediction as 1', () => {
    const gold = [['ARG0', 'V', 'O', 'ARG1']];
    const report = computeArgumentReport(gold, gold);

    expect(report.overall).toEqual({
      precision: 1,
      recall: 1,
      f1: 1,
      support: 2,
      predicted: 2,
      correct: 2,
    });
    expect(Object.keys(report.per_role)).toEqual(['ARG0', 'ARG1']);
  });

  it('needs both head token and role to match', () => {
    const gold = [['ARG0', 'V', 'O', 'ARG1', 'ARGM-TMP']];
    // ARG0 right; ARG1 on the wrong token; ARGM-TMP with the wrong role.
    const predicted = [['ARG0', 'V', 'ARG1', 'O', 'ARGM-LOC']];
    const report = computeArgumentReport(gold, predicted);

    expect(report.overall.correct).toBe(1);
    expect(report.overall.predicted).toBe(3);
    expect(report.overall.support).toBe(3);
    expect(report.overall.precision).toBeCloseTo(1 / 3, 6);
    expect(report.overall.recall).toBeCloseTo(1 / 3, 6);
    expect(report.per_role['ARG1']).toMatchObject({ support: 1, predicted: 1, correct: 0 });
    expect(report.per_role['ARGM-LOC']).toMatchObject({ support: 0, predicted: 1, f1: 0 });
    expect(report.per_role['ARGM-TMP']).toMatchObject({ support: 1, predicted: 0, recall: 0 });
  });

  it('scores each predicate of a sentence apart', () => {
    const gold = [
      ['ARG0', 'V', 'O', 'ARG1', 'O', 'O'],
      ['ARG0', 'O', 'O', 'V', 'O', 'ARG1'],
    ];
    // Right arguments, but given to the other predicate.
    const predicted = [
      ['ARG0', 'V', 'O', 'O', 'O', 'ARG1'],
      ['ARG0', 'O', 'O', 'V', 'O', 'ARG1'],
    ];
    const report = computeArgumentReport(gold, predicted);

    expect(report.predicates).toBe(2);
    expect(report.overall.correct).toBe(3);
    expect(report.overall.support).toBe(4);
    expect(report.per_role['ARG1']).toMatchObject({ support: 2, predicted: 2, correct: 1 });
  });

  it('never scores the predicate or O', () => {
    const report = computeArgumentReport([['V', 'O']], [['O', 'V']]);

    expect(report.overall).toMatchObject({ support: 0, predicted: 0, f1: 0 });
    expect(report.per_role).toEqual({});
    expect(isArgumentRole('V')).toBe(false);
    expect(isArgumentRole('O')).toBe(false);
    expect(isArgumentRole('R-ARG0')).toBe(true);
  });

  it('computes F1 from precision and recall', () => {
    const gold = [['ARG0', 'ARG1', 'ARG2', 'ARGM-TMP']];
    const predicted = [['ARG0', 'ARG1', 'O', 'O']];
    const report = computeArgumentReport(gold, predicted);

    expect(report.overall.precision).toBe(1);
    expect(report.overall.recall).toBe(0.5);
    expect(report.overall.f1).toBeCloseTo(2 / 3, 6);
  });

  it('rejects sequences of different lengths', () => {
    expect(() => computeArgumentReport([['ARG0', 'V']], [['ARG0']])).toThrow(RangeError);
    expect(() => computeArgumentReport([['V']], [])).toThrow(RangeError);
  });

  it('formats a table with every role', () => {
    const report = computeArgumentReport([['ARG0', 'V', 'ARGM-TMP']], [['ARG0', 'V', 'O']]);
    const text = formatArgumentReport(report);

    expect(text).toContain('argument F1     66.67%');
    expect(text).toMatch(/ARGM-TMP\s+0\.00%\s+0\.00%\s+0\.00%\s+1/);
    expect(text).toMatch(/overall\s+100\.00%\s+50\.00%\s+66\.67%\s+2/);
  });
});
