import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  formatFromFileName,
  parseClassificationText,
  readClassificationFile,
} from '../../../src/training/datasets/index.js';
import {
  catchMaasError,
  catchMaasErrorAsync,
  createTempFolder,
  type TempFolder,
} from './helpers.js';

let folder: TempFolder;

beforeAll(async () => {
  folder = await createTempFolder();
});

afterAll(async () => {
  await folder.remove();
});

describe('readClassificationFile with CSV', () => {
  it('reads label and review columns', async () => {
    const path = await folder.write('basic.csv', 'label,review\n1,房间很干净\n0,服务太差\n');
    const dataset = await readClassificationFile(path);
    expect(dataset.examples).toEqual([
      { text: '房间很干净', label: '1', line: 2 },
      { text: '服务太差', label: '0', line: 3 },
    ]);
    expect(dataset.labels).toEqual(['0', '1']);
    expect(dataset.stats.rows).toBe(2);
    expect(dataset.stats.labelCounts).toEqual({ '0': 1, '1': 1 });
  });

  it('reads a BOM and CRLF file', async () => {
    const path = await folder.write('bom.csv', '\uFEFFlabel,review\r\n1,good\r\n0,bad\r\n');
    const dataset = await readClassificationFile(path);
    expect(dataset.examples).toEqual([
      { text: 'good', label: '1', line: 2 },
      { text: 'bad', label: '0', line: 3 },
    ]);
  });

  it('numbers lines after a multi-line field', async () => {
    const text = 'label,review\n1,"good, clean\nand quiet"\n0,\n';
    const path = await folder.write('multiline.csv', text);
    const error = await catchMaasErrorAsync(() => readClassificationFile(path));
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.message).toContain('line 4: text is empty');
    expect(error.details).toEqual({ lines: [4], count: 1 });
  });

  it('keeps the field of a multi-line row', () => {
    const dataset = parseClassificationText('label,review\n1,"a ""b"", c\nd"\n0,e\n', {
      format: 'csv',
    });
    expect(dataset.examples).toEqual([
      { text: 'a "b", c\nd', label: '1', line: 2 },
      { text: 'e', label: '0', line: 4 },
    ]);
  });

  it('ignores blank lines at the end', () => {
    const oneBlankLine = parseClassificationText('label,review\n1,a\n\n', { format: 'csv' });
    const severalBlankLines = parseClassificationText('label,review\n1,a\n\n\r\n  \n\n', {
      format: 'csv',
    });
    expect(oneBlankLine.examples).toHaveLength(1);
    expect(severalBlankLines.examples).toHaveLength(1);
  });

  it('rejects a missing label', () => {
    const error = catchMaasError(() =>
      parseClassificationText('label,review\n1,good\n,bad\n 1 ,fine\n', { format: 'csv' }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.status).toBe(422);
    expect(error.message).toContain('line 3: label is empty');
    expect(error.details).toEqual({ lines: [3], count: 1 });
  });

  it('rejects whitespace-only text', () => {
    const error = catchMaasError(() =>
      parseClassificationText('label,review\n1,  \t \n', { format: 'csv' }),
    );
    expect(error.message).toContain('line 2: text is empty');
  });

  it('rejects a wrong field count', () => {
    const error = catchMaasError(() =>
      parseClassificationText('label,review\n1,good,extra\n0\n', { format: 'csv' }),
    );
    expect(error.message).toContain('line 2: expected 2 fields, found 3');
    expect(error.message).toContain('line 3: expected 2 fields, found 1');
  });

  it('lists every bad row in one error', () => {
    const text = 'label,review\n1,ok\n,no label\n0,\n1,a,b\n,\n';
    const error = catchMaasError(() => parseClassificationText(text, { format: 'csv' }));
    expect(error.message).toBe(
      'Dataset has 4 invalid rows: line 3: label is empty; line 4: text is empty; ' +
        'line 5: expected 2 fields, found 3; line 6: text is empty and label is empty. ' +
        'Fix or remove these rows and try again.',
    );
    expect(error.details).toEqual({ lines: [3, 4, 5, 6], count: 4 });
  });

  it('lists 20 bad rows and counts the rest', () => {
    const rows = Array.from({ length: 25 }, (_, index) => `,text ${index}`);
    const text = `label,review\n${rows.join('\n')}\n`;
    const error = catchMaasError(() => parseClassificationText(text, { format: 'csv' }));
    const details = error.details as { lines: number[]; count: number };
    expect(details.count).toBe(25);
    expect(details.lines).toEqual(Array.from({ length: 20 }, (_, index) => index + 2));
    expect(error.message).toContain('line 21: label is empty; and 5 more not listed.');
    expect(error.message).not.toContain('line 22');
  });

  it('rejects an unterminated quote', () => {
    const error = catchMaasError(() =>
      parseClassificationText('label,review\n1,"never closed\n0,bad\n', { format: 'csv' }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.message).toContain('line 2');
    expect(error.details).toEqual({ lines: [2], count: 1 });
  });

  it('preserves Chinese and emoji byte for byte', async () => {
    const review = '  这家酒店很好😀👍🏽, café e\u0301 \u200b ';
    const path = await folder.write('unicode.csv', `label,review\n 正面 ,"${review}"\n`);
    const dataset = await readClassificationFile(path);
    const example = dataset.examples[0];
    expect(Buffer.from(example?.text ?? '')).toEqual(Buffer.from(review));
    expect(example?.label).toBe('正面');
  });

  it('sorts labels by code unit', () => {
    const text = 'label,review\nb,x\nB,x\na,x\n10,x\n2,x\n';
    const dataset = parseClassificationText(text, { format: 'csv' });
    expect(dataset.labels).toEqual(['10', '2', 'B', 'a', 'b']);
  });
});

describe('classification columns', () => {
  const text = 'id,Body,sentiment,review\n7,great food,pos,ignored\n8,cold soup,neg,ignored\n';

  it('selects columns by name', () => {
    const dataset = parseClassificationText(text, {
      format: 'csv',
      textColumn: 'body',
      labelColumn: 'sentiment',
    });
    expect(dataset.examples.map((example) => [example.text, example.label])).toEqual([
      ['great food', 'pos'],
      ['cold soup', 'neg'],
    ]);
  });

  it('selects columns by index', () => {
    const dataset = parseClassificationText(text, { format: 'csv', textColumn: 1, labelColumn: 2 });
    expect(dataset.examples[0]).toEqual({ text: 'great food', label: 'pos', line: 2 });
  });

  it('finds default names ignoring case', () => {
    const dataset = parseClassificationText(' Text ,LABEL\nhello,x\n', { format: 'csv' });
    expect(dataset.examples[0]).toEqual({ text: 'hello', label: 'x', line: 2 });
  });

  it('prefers the earlier default name', () => {
    const dataset = parseClassificationText('content,review,class,label\nc,r,k,l\n', {
      format: 'csv',
    });
    expect(dataset.examples[0]).toEqual({ text: 'r', label: 'l', line: 2 });
  });

  it('lists columns when a name is missing', () => {
    const error = catchMaasError(() =>
      parseClassificationText(text, { format: 'csv', textColumn: 'comment' }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(error.param).toBe('textColumn');
    expect(error.message).toContain('"comment" not found');
    expect(error.message).toContain('"id", "Body", "sentiment", "review"');
    expect(error.details).toEqual({ available: ['id', 'Body', 'sentiment', 'review'] });
  });

  it('lists columns when no default matches', () => {
    const error = catchMaasError(() =>
      parseClassificationText('id,body\n1,x\n', { format: 'csv', textColumn: 'body' }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(error.param).toBe('labelColumn');
    expect(error.message).toContain('label, labels, category, cat, class');
    expect(error.message).toContain('"id", "body"');
  });

  it('rejects an index out of range', () => {
    const error = catchMaasError(() =>
      parseClassificationText(text, { format: 'csv', labelColumn: 4 }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(error.message).toContain('indexes 0 to 3');
  });

  it('rejects a negative index', () => {
    const error = catchMaasError(() =>
      parseClassificationText(text, { format: 'csv', labelColumn: -1 }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(error.param).toBe('labelColumn');
  });

  it('rejects names without a header', () => {
    const error = catchMaasError(() =>
      parseClassificationText('a,1\n', { format: 'csv', header: false, labelColumn: 1 }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(error.param).toBe('textColumn');
    expect(error.message).toContain('no header row');
  });
});

describe('readClassificationFile with TSV', () => {
  it('reads a header and bare quotes', async () => {
    const text = 'sentence\tlabel\nit \'s "great" \t1\n"unbalanced \t0\n';
    const path = await folder.write('sst.tsv', text);
    const dataset = await readClassificationFile(path);
    expect(dataset.examples).toEqual([
      { text: 'it \'s "great" ', label: '1', line: 2 },
      { text: '"unbalanced ', label: '0', line: 3 },
    ]);
  });

  it('reads a file without header', async () => {
    const path = await folder.write('news.txt', 'Stocks rise\tBusiness\nTeam wins\tSports\n');
    const dataset = await readClassificationFile(path, {
      header: false,
      textColumn: 0,
      labelColumn: 1,
    });
    expect(dataset.examples).toEqual([
      { text: 'Stocks rise', label: 'Business', line: 1 },
      { text: 'Team wins', label: 'Sports', line: 2 },
    ]);
  });

  it('checks field count without header', () => {
    const error = catchMaasError(() =>
      parseClassificationText('a\t1\nb\t1\textra\n', {
        format: 'tsv',
        header: false,
        textColumn: 0,
        labelColumn: 1,
      }),
    );
    expect(error.message).toContain('line 2: expected 2 fields, found 3');
  });

  it('honors quotes when quoting is on', () => {
    const dataset = parseClassificationText('text\tlabel\n"a\tb\nc"\tx\n', {
      format: 'tsv',
      quoting: true,
    });
    expect(dataset.examples).toEqual([{ text: 'a\tb\nc', label: 'x', line: 2 }]);
  });
});

describe('readClassificationFile with JSONL', () => {
  it('reads objects by key', async () => {
    const text = '{"text":"好吃😋","label":1}\n\n{"text":" ok ","label":" neutral ","id":3}\n';
    const path = await folder.write('reviews.jsonl', text);
    const dataset = await readClassificationFile(path);
    expect(dataset.examples).toEqual([
      { text: '好吃😋', label: '1', line: 1 },
      { text: ' ok ', label: 'neutral', line: 3 },
    ]);
  });

  it('reads .ndjson with named keys', async () => {
    const path = await folder.write('posts.ndjson', '{"body":"hi","topic":"greeting"}\r\n');
    const dataset = await readClassificationFile(path, {
      textColumn: 'body',
      labelColumn: 'topic',
    });
    expect(dataset.examples).toEqual([{ text: 'hi', label: 'greeting', line: 1 }]);
  });

  it('names bad JSON and bad rows together', async () => {
    const lines = [
      '{"text":"fine","label":"a"}',
      '{"text":"broken",',
      '["text","label"]',
      '{"text":"no label"}',
      '{"text":5,"label":"a"}',
      '{"text":"x","label":{"name":"a"}}',
    ];
    const path = await folder.write('bad.jsonl', `${lines.join('\n')}\n`);
    const error = await catchMaasErrorAsync(() => readClassificationFile(path));
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.message).toContain('line 2: invalid JSON (');
    expect(error.message).toContain('line 3: expected a JSON object, found an array');
    expect(error.message).toContain('line 4: label is missing');
    expect(error.message).toContain('line 5: text must be a string, found a number');
    expect(error.message).toContain('line 6: label must be a string, number or boolean');
    expect(error.details).toEqual({ lines: [2, 3, 4, 5, 6], count: 5 });
  });

  it('lists keys when a key is missing', () => {
    const error = catchMaasError(() =>
      parseClassificationText('{"body":"x","label":"a"}\n', { format: 'jsonl' }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(error.message).toContain('the rows have the keys "body", "label"');
  });

  it('rejects an index as a key', () => {
    const error = catchMaasError(() =>
      parseClassificationText('{"text":"x","label":"a"}\n', { format: 'jsonl', textColumn: 0 }),
    );
    expect(error.code).toBe('MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(error.param).toBe('textColumn');
  });
});

describe('classification NUL characters', () => {
  it.each([
    ['CSV text', 'text,label\ngo\u0000od,1\n', 'csv', 'text'],
    ['CSV label', 'text,label\ngood,1\u0000\n', 'csv', 'label'],
    ['TSV text', 'text\tlabel\ngo\u0000od\t1\n', 'tsv', 'text'],
    [
      'JSONL escaped text',
      '{"text":"ok","label":"1"}\n{"text":"go\\u0000od","label":"1"}\n',
      'jsonl',
      'text',
    ],
    [
      'JSONL escaped label',
      '{"text":"ok","label":"1"}\n{"text":"good","label":"\\u0000"}\n',
      'jsonl',
      'label',
    ],
  ] as const)('rejects NUL in %s', (_case, text, format, field) => {
    const error = catchMaasError(() => parseClassificationText(text, { format }));
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain(`line 2: ${field} contains a NUL character (U+0000)`);
  });
});

describe('classification empty and unknown input', () => {
  it.each([
    ['an empty file', '', 'csv'],
    ['only blank lines', '\n\n  \n', 'csv'],
    ['only a header', 'label,review\n', 'csv'],
    ['an empty JSONL file', '\n\n', 'jsonl'],
  ] as const)('rejects %s as empty', (_name, text, format) => {
    const error = catchMaasError(() => parseClassificationText(text, { format }));
    expect(error.code).toBe('MAAS_ERR_DATASET_EMPTY');
  });

  it('rejects an unknown extension', async () => {
    const path = await folder.write('data.xlsx', 'label,review\n1,a\n');
    const error = await catchMaasErrorAsync(() => readClassificationFile(path));
    expect(error.code).toBe('MAAS_ERR_DATASET_FORMAT_UNKNOWN');
    expect(error.status).toBe(400);
  });

  it('maps extensions to formats', () => {
    expect(formatFromFileName('a/B.CSV')).toBe('csv');
    expect(formatFromFileName('b.tsv')).toBe('tsv');
    expect(formatFromFileName('c.txt')).toBe('tsv');
    expect(formatFromFileName('d.jsonl')).toBe('jsonl');
    expect(formatFromFileName('e.ndjson')).toBe('jsonl');
  });

  it('requires a format for text', () => {
    const missing = catchMaasError(() => parseClassificationText('label,review\n1,a\n', {}));
    const unknown = catchMaasError(() =>
      parseClassificationText('x', { format: 'xml' as unknown as 'csv' }),
    );
    expect(missing.code).toBe('MAAS_ERR_DATASET_FORMAT_UNKNOWN');
    expect(missing.message).toBe('Dataset format is missing. Set format to csv, tsv or jsonl.');
    expect(unknown.code).toBe('MAAS_ERR_DATASET_FORMAT_UNKNOWN');
    expect(unknown.message).toContain('"xml" is not supported');
  });

  it('names the line of invalid UTF-8', async () => {
    const head = Buffer.from('label,review\n1,good\n0,');
    // "很好" in GBK is not valid UTF-8.
    const gbk = Buffer.from([0xba, 0xdc, 0xba, 0xc3, 0x0a]);
    const path = await folder.write('gbk.csv', Buffer.concat([head, gbk]));
    const error = await catchMaasErrorAsync(() => readClassificationFile(path));
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('not valid UTF-8');
  });
});
