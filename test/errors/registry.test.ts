import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ERROR_CODES, MaasError, type ErrorCode } from '../../src/errors/index.js';

const DOCS_FILE = new URL('../../docs/errors.md', import.meta.url);
const CODE_NAME_PATTERN = /^MAAS_ERR_[A-Z]+(_[A-Z]+)+$/;
const TABLE_HEADER = ['code', 'HTTP status', 'description'];

interface DocumentedCode {
  code: string;
  status: number;
  description: string;
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** Reads the rows of the table whose header is `| code | HTTP status | description |`. */
function readDocumentedCodes(markdown: string): DocumentedCode[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => {
    const cells = splitRow(line);
    return line.trim().startsWith('|') && cells.join('|') === TABLE_HEADER.join('|');
  });
  if (header === -1) {
    throw new Error(`docs/errors.md has no table with header | ${TABLE_HEADER.join(' | ')} |`);
  }
  const rows: DocumentedCode[] = [];
  // The line after the header is the |---| delimiter row.
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [code = '', status = '', description = ''] = splitRow(line);
    rows.push({
      code: code.replace(/^`|`$/g, ''),
      status: Number(status),
      description,
    });
  }
  return rows;
}

const documented = readDocumentedCodes(readFileSync(DOCS_FILE, 'utf8'));
const registered = Object.entries(ERROR_CODES).map(([code, entry]) => ({
  code,
  status: entry.status,
  description: entry.description,
}));

describe('docs/errors.md', () => {
  it('lists codes once each', () => {
    const codes = documented.map((row) => row.code);
    expect(codes.filter((code, index) => codes.indexOf(code) !== index)).toEqual([]);
  });

  it('lists every registered code', () => {
    const listed = new Set(documented.map((row) => row.code));
    expect(registered.map((row) => row.code).filter((code) => !listed.has(code))).toEqual([]);
  });

  it('lists no unregistered code', () => {
    const unknown = documented.filter((row) => !(row.code in ERROR_CODES));
    expect(unknown.map((row) => row.code)).toEqual([]);
  });

  for (const { code, status, description } of registered) {
    it(`${code} matches`, () => {
      const row = documented.find((entry) => entry.code === code);
      expect(row, `${code} is missing from docs/errors.md`).toBeDefined();
      expect(row?.status).toBe(status);
      expect(row?.description).toBe(description);
    });
  }
});

describe('ERROR_CODES', () => {
  it('names match the pattern', () => {
    const invalid = registered.map((row) => row.code).filter((c) => !CODE_NAME_PATTERN.test(c));
    expect(invalid).toEqual([]);
  });

  it('statuses are 4xx or 5xx', () => {
    const invalid = registered.filter((row) => !(row.status >= 400 && row.status <= 599));
    expect(invalid.map((row) => row.code)).toEqual([]);
  });

  it('descriptions are sentences', () => {
    const invalid = registered.filter((row) => !/^[A-Z].*\.$/.test(row.description));
    expect(invalid.map((row) => row.code)).toEqual([]);
  });

  it('MaasError takes the status', () => {
    for (const { code, status } of registered) {
      expect(new MaasError(code as ErrorCode, 'message').status).toBe(status);
    }
  });
});

describe('table parser', () => {
  it('reads a padded row', () => {
    const markdown = [
      '| code | HTTP status | description |',
      '| --- | --- | --- |',
      '| `MAAS_ERR_A_B`   | 404         | Not here. |',
      '',
      '| `MAAS_ERR_C_D` | 400 | After the table. |',
    ].join('\n');
    expect(readDocumentedCodes(markdown)).toEqual([
      { code: 'MAAS_ERR_A_B', status: 404, description: 'Not here.' },
    ]);
  });

  it('rejects a file without the table', () => {
    expect(() => readDocumentedCodes('# Error codes\n')).toThrow(/no table with header/);
  });

  it('pattern rejects a one-word suffix', () => {
    expect(CODE_NAME_PATTERN.test('MAAS_ERR_BROKEN')).toBe(false);
  });
});
