import { describe, expect, it } from 'vitest';

import { parseDelimited, type DelimitedRecord } from '../../../src/training/datasets/index.js';
import { catchMaasError } from './helpers.js';

const CSV = { delimiter: ',', quoting: true } as const;
const TSV = { delimiter: '\t', quoting: false } as const;

function parseCsv(text: string): DelimitedRecord[] {
  return [...parseDelimited(text, CSV)];
}

describe('parseDelimited with CSV quoting', () => {
  it('strips a byte order mark', () => {
    const records = parseCsv('\uFEFFlabel,review\n1,good\n');
    expect(records[0]?.fields).toEqual(['label', 'review']);
  });

  it('splits CRLF, LF and lone CR lines', () => {
    const records = parseCsv('a,b\r\nc,d\ne,f\rg,h');
    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c', 'd'], line: 2 },
      { fields: ['e', 'f'], line: 3 },
      { fields: ['g', 'h'], line: 4 },
    ]);
  });

  it('keeps comma and newline in quotes', () => {
    const records = parseCsv('label,review\n1,"good, really\nvery good"\n0,bad\n');
    expect(records).toEqual([
      { fields: ['label', 'review'], line: 1 },
      { fields: ['1', 'good, really\nvery good'], line: 2 },
      { fields: ['0', 'bad'], line: 4 },
    ]);
  });

  it('counts CRLF and CR inside quotes', () => {
    const records = parseCsv('"a\r\nb\rc",x\r\nnext,y\r\n');
    expect(records[0]).toEqual({ fields: ['a\r\nb\rc', 'x'], line: 1 });
    expect(records[1]).toEqual({ fields: ['next', 'y'], line: 4 });
  });

  it('undoes doubled quotes', () => {
    const records = parseCsv('1,"he said ""hi"""\n2,""""\n3,""\n');
    expect(records.map((record) => record.fields[1])).toEqual(['he said "hi"', '"', '']);
  });

  it('keeps a quote inside an unquoted field', () => {
    expect(parseCsv('1,a 5" screen\n')[0]?.fields).toEqual(['1', 'a 5" screen']);
  });

  it('keeps empty and trailing fields', () => {
    expect(parseCsv(',a,\n')[0]?.fields).toEqual(['', 'a', '']);
  });

  it('skips one blank trailing line', () => {
    expect(parseCsv('a,b\n\n')).toEqual([{ fields: ['a', 'b'], line: 1 }]);
  });

  it('skips several blank and whitespace lines', () => {
    const records = parseCsv('a,b\n\n  \n\r\nc,d\n\n\n \t\n');
    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c', 'd'], line: 5 },
    ]);
  });

  it('keeps a line with one quoted empty field', () => {
    expect(parseCsv('""\n')).toEqual([{ fields: [''], line: 1 }]);
  });

  it('returns nothing for empty text', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF\n\n')).toEqual([]);
  });

  it('rejects an unterminated quote', () => {
    const error = catchMaasError(() =>
      parseCsv('label,review\n1,ok\n0,"opened here\nand\nnever closed\n'),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.status).toBe(422);
    expect(error.message).toContain('line 3');
    expect(error.details).toEqual({ lines: [3], count: 1 });
  });

  it('rejects text after a closing quote', () => {
    const error = catchMaasError(() => parseCsv('a,b\n"x\ny"z,1\n'));
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('"z,1');
  });
});

describe('parseDelimited with TSV', () => {
  it('treats quotes as text by default', () => {
    const records = [...parseDelimited('"hello\tworld\nit \'s "great\t1\n', TSV)];
    expect(records).toEqual([
      { fields: ['"hello', 'world'], line: 1 },
      { fields: ['it \'s "great', '1'], line: 2 },
    ]);
  });

  it('splits on tabs only', () => {
    const records = [...parseDelimited('a, b\tc\r\n\r\nd\t\te\r\n', TSV)];
    expect(records).toEqual([
      { fields: ['a, b', 'c'], line: 1 },
      { fields: ['d', '', 'e'], line: 3 },
    ]);
  });

  it('keeps a line of only a tab', () => {
    expect([...parseDelimited('\t\n', TSV)]).toEqual([{ fields: ['', ''], line: 1 }]);
  });

  it('honors quotes when quoting is on', () => {
    const records = [
      ...parseDelimited('"a\tb"\tc\n"x\ny"\tz\n', { delimiter: '\t', quoting: true }),
    ];
    expect(records).toEqual([
      { fields: ['a\tb', 'c'], line: 1 },
      { fields: ['x\ny', 'z'], line: 2 },
    ]);
  });
});
