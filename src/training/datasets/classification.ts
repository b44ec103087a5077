import { extname } from 'node:path';

import { MaasError } from '../../errors/index.js';
import {
  resolveFieldIndex,
  resolveJsonKey,
  type ColumnRole,
  type ColumnSelector,
} from './columns.js';
import { parseDelimited, type DelimitedRecord } from './delimited.js';
import { describeJsonType, parseJsonLines } from './jsonl.js';
import { NUL, describeNul } from './lines.js';
import { RowProblems } from './row-problems.js';
import { computeStatistics, type DatasetStatistics } from './statistics.js';
import { readUtf8File } from './text-file.js';

/** File formats that a text-classification dataset can have. */
export type ClassificationFormat = 'csv' | 'tsv' | 'jsonl';

/** Settings for reading a text-classification dataset. */
export interface ClassificationReadOptions {
  /** File format. {@link readClassificationFile} defaults it from the file extension. */
  format?: ClassificationFormat;
  /**
   * Text column: a header name or JSON key (case and surrounding whitespace ignored), or a
   * 0-based index for CSV and TSV. Defaults to the first of `text`, `review`, `sentence` and
   * `content` that the file has.
   */
  textColumn?: ColumnSelector;
  /**
   * Label column, selected like `textColumn`. Defaults to the first of `label`, `labels`,
   * `category`, `cat` and `class` that the file has.
   */
  labelColumn?: ColumnSelector;
  /** Whether the first CSV or TSV record names the columns. Defaults to true. JSONL ignores it. */
  header?: boolean;
  /**
   * Whether `"` opens a quoted field (RFC 4180). Defaults to true for CSV and false for TSV,
   * because IANA TSV has no quoting and a quote character in a TSV sentence is ordinary text.
   */
  quoting?: boolean;
}

/** One labeled text. */
export interface ClassificationExample {
  /** Text exactly as in the file, because normalization belongs to the tokenizer. */
  text: string;
  /** Label with surrounding whitespace removed. */
  label: string;
  /** 1-based line where the row starts in the file. */
  line: number;
}

/** Validated text-classification dataset. */
export interface ClassificationDataset {
  /** Examples in file order. */
  examples: ClassificationExample[];
  /**
   * Distinct labels sorted by UTF-16 code unit, not by locale, so that label indexes are the
   * same on every machine.
   */
  labels: string[];
  /**
   * Fields of the first CSV or TSV record, which name the columns when the file has a header
   * row, or the keys of the JSONL rows in order of first appearance.
   */
  columns: string[];
  stats: DatasetStatistics;
}

const FORMATS_BY_EXTENSION: Readonly<Record<string, ClassificationFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.txt': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/**
 * Returns the dataset format that the extension of `path` implies, ignoring case: `.csv`, `.tsv`
 * and `.txt` (TSV), `.jsonl` and `.ndjson`.
 *
 * @throws MaasError MAAS_ERR_DATASET_FORMAT_UNKNOWN for any other extension.
 */
export function formatFromFileName(path: string): ClassificationFormat {
  const extension = extname(path).toLowerCase();
  const format = FORMATS_BY_EXTENSION[extension];
  if (format === undefined) {
    const known = Object.keys(FORMATS_BY_EXTENSION).join(', ');
    throw new MaasError(
      'MAAS_ERR_DATASET_FORMAT_UNKNOWN',
      `Cannot tell the dataset format of ${JSON.stringify(path)} from its extension: expected ` +
        `one of ${known}. Rename the file or set format to csv, tsv or jsonl.`,
      { param: 'format' },
    );
  }
  return format;
}

/**
 * Reads and validates a text-classification dataset file, which must be UTF-8.
 *
 * @throws MaasError as {@link parseClassificationText}, MAAS_ERR_DATASET_FORMAT_UNKNOWN when the
 * format is neither given nor implied by the extension, and MAAS_ERR_DATASET_INVALID when the
 * file is not valid UTF-8. Errors from reading the file propagate unchanged.
 */
export async function readClassificationFile(
  path: string,
  options: ClassificationReadOptions = {},
): Promise<ClassificationDataset> {
  const format = options.format ?? formatFromFileName(path);
  const text = await readUtf8File(path);
  return parseClassificationText(text, { ...options, format });
}

/**
 * Parses and validates the text of a text-classification dataset.
 *
 * Checks every row before throwing, so one error reports all unusable rows. A CSV or TSV row is
 * unusable when its field count differs from the header's, or from the first row's when there
 * is no header. A JSONL line is unusable when it is not a JSON object. Any row is unusable when
 * its text is empty or whitespace, or its label is missing or empty. A CSV quoting error stops
 * parsing at once, because the rows after it cannot be separated. A text or label that contains
 * NUL (U+0000) makes its row unusable too.
 *
 * @throws MaasError MAAS_ERR_DATASET_FORMAT_UNKNOWN when `format` is missing or unknown,
 * MAAS_ERR_DATASET_COLUMN_NOT_FOUND when a column cannot be resolved, MAAS_ERR_DATASET_INVALID
 * naming the bad lines (see {@link RowProblems}), and MAAS_ERR_DATASET_EMPTY when no row
 * remains.
 */
export function parseClassificationText(
  text: string,
  options: ClassificationReadOptions,
): ClassificationDataset {
  const format = options.format;
  switch (format) {
    case 'csv':
    case 'tsv':
      return parseDelimitedDataset(text, format, options);
    case 'jsonl':
      return parseJsonLinesDataset(text, options);
    default:
      throw unknownFormat(format);
  }
}

function parseDelimitedDataset(
  text: string,
  format: 'csv' | 'tsv',
  options: ClassificationReadOptions,
): ClassificationDataset {
  const records = [
    ...parseDelimited(text, {
      delimiter: format === 'csv' ? ',' : '\t',
      quoting: options.quoting ?? format === 'csv',
    }),
  ];
  const first = records[0];
  if (first === undefined) {
    throw emptyDataset('The file has no rows.');
  }
  const hasHeader = options.header ?? true;
  const header = hasHeader ? first.fields : undefined;
  const fieldCount = first.fields.length;
  const textIndex = resolveFieldIndex('text', options.textColumn, header, fieldCount);
  const labelIndex = resolveFieldIndex('label', options.labelColumn, header, fieldCount);

  const problems = new RowProblems();
  const examples: ClassificationExample[] = [];
  for (const record of hasHeader ? records.slice(1) : records) {
    const example = checkDelimitedRow(record, fieldCount, textIndex, labelIndex, problems);
    if (example !== undefined) {
      examples.push(example);
    }
  }
  return finishDataset(examples, problems, hasHeader, first.fields);
}

function checkDelimitedRow(
  record: DelimitedRecord,
  fieldCount: number,
  textIndex: number,
  labelIndex: number,
  problems: RowProblems,
): ClassificationExample | undefined {
  if (record.fields.length !== fieldCount) {
    problems.add(record.line, `expected ${fieldCount} fields, found ${record.fields.length}`);
    return undefined;
  }
  const text = record.fields[textIndex] as string;
  const label = (record.fields[labelIndex] as string).trim();
  return checkValues(record.line, text, label, [], problems);
}

/** Adds the row's problems, appended to `reasons`, or returns the example if there are none. */
function checkValues(
  line: number,
  text: string | undefined,
  label: string | undefined,
  reasons: string[],
  problems: RowProblems,
): ClassificationExample | undefined {
  if (text !== undefined && text.trim() === '') {
    reasons.push('text is empty');
  }
  if (label === '') {
    reasons.push('label is empty');
  }
  if (text?.includes(NUL) === true) {
    reasons.push(describeNul('text'));
  }
  if (label?.includes(NUL) === true) {
    reasons.push(describeNul('label'));
  }
  if (reasons.length > 0 || text === undefined || label === undefined) {
    problems.add(line, reasons.join(' and '));
    return undefined;
  }
  return { text, label, line };
}

function parseJsonLinesDataset(
  text: string,
  options: ClassificationReadOptions,
): ClassificationDataset {
  const problems = new RowProblems();
  const records = parseJsonLines(text, problems);
  if (records.length === 0) {
    problems.throwIfAny();
    throw emptyDataset('The file has no rows.');
  }
  const keys = collectKeys(records.map((record) => record.value));
  const textKey = resolveJsonKey('text', options.textColumn, keys);
  const labelKey = resolveJsonKey('label', options.labelColumn, keys);

  const examples: ClassificationExample[] = [];
  for (const { value, line } of records) {
    const reasons: string[] = [];
    const rowText = readJsonText(value[textKey], reasons);
    const rowLabel = readJsonLabel(value[labelKey], reasons);
    const example = checkValues(line, rowText, rowLabel, reasons, problems);
    if (example !== undefined) {
      examples.push(example);
    }
  }
  return finishDataset(examples, problems, false, keys);
}

/** Returns every key that appears in any object, in order of first appearance. */
function collectKeys(objects: readonly Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const object of objects) {
    for (const key of Object.keys(object)) {
      keys.add(key);
    }
  }
  return [...keys];
}

function readJsonText(value: unknown, reasons: string[]): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  reasons.push(describeWrongValue('text', value, 'a string'));
  return undefined;
}

/** Reads a label, accepting numbers and booleans as their JSON spelling, e.g. `1` or `true`. */
function readJsonLabel(value: unknown, reasons: string[]): string | undefined {
  if (typeof value === 'string') {
    return value.trim();
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  reasons.push(describeWrongValue('label', value, 'a string, number or boolean'));
  return undefined;
}

function describeWrongValue(role: ColumnRole, value: unknown, expected: string): string {
  if (value === undefined || value === null) {
    return `${role} is missing`;
  }
  return `${role} must be ${expected}, found ${describeJsonType(value)}`;
}

function finishDataset(
  examples: ClassificationExample[],
  problems: RowProblems,
  hasHeader: boolean,
  columns: string[],
): ClassificationDataset {
  problems.throwIfAny();
  if (examples.length === 0) {
    throw emptyDataset(
      hasHeader ? 'The file has a header row but no data rows.' : 'The file has no rows.',
    );
  }
  const labels = [...new Set(examples.map((example) => example.label))].sort();
  return { examples, labels, columns, stats: computeStatistics(examples) };
}

function unknownFormat(format: unknown): MaasError {
  const problem =
    format === undefined
      ? 'Dataset format is missing.'
      : `Dataset format ${JSON.stringify(format)} is not supported.`;
  return new MaasError(
    'MAAS_ERR_DATASET_FORMAT_UNKNOWN',
    `${problem} Set format to csv, tsv or jsonl.`,
    { param: 'format' },
  );
}

function emptyDataset(reason: string): MaasError {
  return new MaasError(
    'MAAS_ERR_DATASET_EMPTY',
    `Dataset is empty: ${reason} Add labeled rows and try again.`,
  );
}
