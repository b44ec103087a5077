import { describe, expect, it } from 'vitest';

import {
  computeSpanReport,
  extractSpans,
  formatSpanReport,
} from '../../../src/training/evaluation/span-report.js';

describe('extractSpans', () => {
  it('reads B and I runs', () => {
    expect(extractSpans(['B-PER', 'I-PER', 'O', 'B-LOC'])).toEqual([
      { type: 'PER', start: 0, end: 2 },
      { type: 'LOC', start: 3, end: 4 },
    ]);
  });

  it('splits adjacent B tags of one type', () => {
    expect(extractSpans(['B-PER', 'B-PER', 'I-PER'])).toEqual([
      { type: 'PER', start: 0, end: 1 },
      { type: 'PER', start: 1, end: 3 },
    ]);
  });

  it('starts a span at a stray I tag under conlleval', () => {
    expect(extractSpans(['O', 'I-ORG', 'I-ORG'], 'conlleval')).toEqual([
      { type: 'ORG', start: 1, end: 3 },
    ]);
    expect(extractSpans(['B-PER', 'I-LOC'], 'conlleval')).toEqual([
      { type: 'PER', start: 0, end: 1 },
      { type: 'LOC', start: 1, end: 2 },
    ]);
  });

  it('drops a stray I tag under strict', () => {
    expect(extractSpans(['O', 'I-ORG', 'I-ORG'], 'strict')).toEqual([]);
    expect(extractSpans(['B-PER', 'I-LOC', 'I-PER'], 'strict')).toEqual([
      { type: 'PER', start: 0, end: 1 },
    ]);
  });

  it('closes a span at the end', () => {
    expect(extractSpans(['O', 'B-ARGM-TMP', 'I-ARGM-TMP'])).toEqual([
      { type: 'ARGM-TMP', start: 1, end: 3 },
    ]);
  });

  it('treats unknown tags and empty input as outside', () => {
    expect(extractSpans([])).toEqual([]);
    expect(extractSpans(['X', 'B-', '-', 'O'])).toEqual([]);
  });
});

describe('computeSpanReport', () => {
  it('scores exact span matches only', () => {
    // 北京 is a location; 王小明 a person. The prediction gets the person and mislabels 北京.
    const gold = [['B-PER', 'I-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC']];
    const predicted = [['B-PER', 'I-PER', 'I-PER', 'O', 'B-ORG', 'I-ORG']];

    const report = computeSpanReport(gold, predicted);

    expect(report.overall).toEqual({
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      support: 2,
      predicted: 2,
      correct: 1,
    });
    expect(report.per_type['PER']?.f1).toBe(1);
    expect(report.per_type['LOC']).toMatchObject({ recall: 0, support: 1, predicted: 0 });
    expect(report.per_type['ORG']).toMatchObject({ precision: 0, support: 0, predicted: 1 });
    expect(report.token_accuracy).toBeCloseTo(4 / 6, 6);
    expect(report.tokens).toBe(6);
  });

  it('gives no credit for a partial span', () => {
    const report = computeSpanReport([['B-PER', 'I-PER', 'O']], [['B-PER', 'O', 'O']]);

    expect(report.overall.correct).toBe(0);
    expect(report.overall.f1).toBe(0);
    expect(report.token_accuracy).toBeCloseTo(2 / 3, 6);
  });

  it('computes micro averages over sequences', () => {
    const gold = [
      ['B-PER', 'O', 'B-LOC'],
      ['B-ORG', 'I-ORG', 'O', 'B-PER'],
    ];
    const predicted = [
      ['B-PER', 'O', 'B-LOC'],
      ['B-ORG', 'I-ORG', 'O', 'O'],
    ];

    const report = computeSpanReport(gold, predicted);

    // 3 of 3 predicted spans right; 3 of 4 gold spans found.
    expect(report.overall.precision).toBe(1);
    expect(report.overall.recall).toBe(0.75);
    expect(report.overall.f1).toBeCloseTo(6 / 7, 6);
    expect(report.per_type['PER']).toMatchObject({ support: 2, correct: 1 });
    expect(report.sequences).toBe(2);
  });

  it('leaves out ignored types', () => {
    const gold = [['B-ARG0', 'B-V', 'B-ARG1', 'I-ARG1']];
    const predicted = [['B-ARG0', 'B-V', 'B-ARG1', 'O']];

    const report = computeSpanReport(gold, predicted, { ignoreTypes: ['V'] });

    expect(report.per_type['V']).toBeUndefined();
    expect(report.overall).toMatchObject({ support: 2, predicted: 2, correct: 1 });
  });

  it('differs by scheme on stray I tags', () => {
    const gold = [['O', 'B-LOC', 'I-LOC']];
    const predicted = [['O', 'I-LOC', 'I-LOC']];

    expect(computeSpanReport(gold, predicted).overall.f1).toBe(1);
    expect(computeSpanReport(gold, predicted, { scheme: 'strict' }).overall.f1).toBe(0);
  });

  it('returns zeros for no sequences', () => {
    const report = computeSpanReport([], []);

    expect(report.overall.f1).toBe(0);
    expect(report.token_accuracy).toBe(0);
    expect(report.per_type).toEqual({});
  });

  it('rejects sequences of different lengths', () => {
    expect(() => computeSpanReport([['O']], [])).toThrow(RangeError);
    expect(() => computeSpanReport([['O', 'O']], [['O']])).toThrow(/sequence 0 has 2 gold tags/);
  });
});

describe('formatSpanReport', () => {
  it('lists every type and the overall row', () => {
    const text = formatSpanReport(
      computeSpanReport([['B-PER', 'O', 'B-LOC']], [['B-PER', 'O', 'O']]),
    );

    expect(text).toContain('span F1         66.67% (conlleval)');
    expect(text).toMatch(/^PER\s+100\.00%\s+100\.00%\s+100\.00%\s+1$/m);
    expect(text).toMatch(/^overall\s+100\.00%\s+50\.00%\s+66\.67%\s+2$/m);
  });
});
