import { extname } from 'node:path';

import { MaasError } from '../../errors/index.js';
import {
  parseClassificationText,
  type ClassificationDataset,
  type ColumnSelector,
} from '../datasets/index.js';
import { parseConllText, type TokenClassificationDataset } from '../datasets/conll.js';
import { parseSemanticRoleText, type SemanticRoleDataset } from '../datasets/conllu-srl.js';
import { guessLanguage } from '../datasets/language-hint.js';
import { summarizeLengths } from '../datasets/statistics.js';
import { segment } from '../../text/index.js';
import { parsePlainText, type PlainTextDataset } from '../datasets/plain-text.js';

/**
 * File formats of a dataset:
 * - `csv`, `tsv`, `jsonl`: labeled texts for text classification;
 * - `conll`: one token and its BIO tag per line, for token classification such as NER;
 * - `conllu`: CoNLL-U with PropBank columns, for semantic role labeling;
 * - `text`: plain text for language modelling.
 */
export const DATASET_FORMATS = ['csv', 'tsv', 'jsonl', 'conll', 'conllu', 'text'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Kinds of training data, one per format family. */
export const DATASET_KINDS = [
  'text-classification',
  'token-classification',
  'semantic-role-labeling',
  'language-modelling',
] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** Kind of each format. */
export const KIND_OF_FORMAT: Readonly<Record<DatasetFormat, DatasetKind>> = Object.freeze({
  csv: 'text-classification',
  tsv: 'text-classification',
  jsonl: 'text-classification',
  conll: 'token-classification',
  conllu: 'semantic-role-labeling',
  text: 'language-modelling',
});

/**
 * Task of each kind, as stored with the dataset: the Hugging Face task name, or
 * `semantic-role-labeling`, which has none.
 */
export const TASK_OF_KIND: Readonly<Record<DatasetKind, string>> = Object.freeze({
  'text-classification': 'text-classification',
  'token-classification': 'token-classification',
  'semantic-role-labeling': 'semantic-role-labeling',
  'language-modelling': 'text-generation',
});

/** Read settings of a dataset; each applies to the formats named on it. */
export interface DatasetReadOptions {
  /** csv, tsv, jsonl: text column by name or 0-based index. */
  textColumn?: ColumnSelector;
  /** csv, tsv, jsonl: label column by name or 0-based index. */
  labelColumn?: ColumnSelector;
  /** csv, tsv: whether the first record names the columns. */
  header?: boolean;
  /** conll: 0-based token column. */
  tokenColumn?: number;
  /** conll: 0-based tag column. */
  tagColumn?: number;
  /** conll: rewrite an `I-X` that continues no `X` entity to `B-X`. */
  repairTags?: boolean;
  /** conllu: 0-based predicate-sense column. */
  senseColumn?: number;
}

const FORMATS_OF_OPTION: Readonly<Record<keyof DatasetReadOptions, readonly DatasetFormat[]>> = {
  textColumn: ['csv', 'tsv', 'jsonl'],
  labelColumn: ['csv', 'tsv', 'jsonl'],
  header: ['csv', 'tsv'],
  tokenColumn: ['conll'],
  tagColumn: ['conll'],
  repairTags: ['conll'],
  senseColumn: ['conllu'],
};

/** Request field of each option, for messages. */
export const OPTION_FIELDS: Readonly<Record<keyof DatasetReadOptions, string>> = {
  textColumn: 'text_column',
  labelColumn: 'label_column',
  header: 'header',
  tokenColumn: 'token_column',
  tagColumn: 'tag_column',
  repairTags: 'repair_tags',
  senseColumn: 'sense_column',
};

/** A parsed dataset of any format. */
export type ParsedDataset =
  | { kind: 'text-classification'; dataset: ClassificationDataset }
  | { kind: 'token-classification'; dataset: TokenClassificationDataset }
  | { kind: 'semantic-role-labeling'; dataset: SemanticRoleDataset }
  | { kind: 'language-modelling'; dataset: PlainTextDataset };

const FORMATS_BY_EXTENSION: Readonly<Record<string, DatasetFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.conll': 'conll',
  '.bio': 'conll',
  '.iob': 'conll',
  '.conllu': 'conllu',
};

/**
 * Returns the format that the extension of `fileName` implies. `.txt` implies none, because
 * plain text, TSV and CoNLL files all use it.
 *
 * @throws MaasError MAAS_ERR_DATASET_FORMAT_UNKNOWN when the extension implies no format.
 */
export function datasetFormatFromFileName(fileName: string): DatasetFormat {
  const format = FORMATS_BY_EXTENSION[extname(fileName).toLowerCase()];
  if (format === undefined) {
    throw new MaasError(
      'MAAS_ERR_DATASET_FORMAT_UNKNOWN',
      `Cannot tell the dataset format of ${JSON.stringify(fileName)} from its extension; set format to one of ${DATASET_FORMATS.join(', ')}.`,
      { param: 'format' },
    );
  }
  return format;
}

/**
 * Checks that `format` is a dataset format and that every option given applies to it.
 *
 * @throws MaasError MAAS_ERR_DATASET_FORMAT_UNKNOWN or MAAS_ERR_REQUEST_INVALID.
 */
export function checkDatasetFormat(format: string, options: DatasetReadOptions): DatasetFormat {
  if (!(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new MaasError(
      'MAAS_ERR_DATASET_FORMAT_UNKNOWN',
      `Dataset format ${JSON.stringify(format)} is not supported; use one of ${DATASET_FORMATS.join(', ')}.`,
      { param: 'format' },
    );
  }
  const known = format as DatasetFormat;
  for (const [option, formats] of Object.entries(FORMATS_OF_OPTION)) {
    const key = option as keyof DatasetReadOptions;
    if (options[key] !== undefined && !formats.includes(known)) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `${OPTION_FIELDS[key]} applies to format ${formats.join(' or ')}, not ${known}; remove it`,
        { param: OPTION_FIELDS[key] },
      );
    }
  }
  return known;
}

/**
 * Parses and validates the text of a dataset in `format`.
 *
 * @throws MaasError from the format's parser: MAAS_ERR_DATASET_INVALID with the lines in
 * `details.lines`, MAAS_ERR_DATASET_EMPTY, MAAS_ERR_DATASET_COLUMN_NOT_FOUND.
 */
export function parseDataset(
  text: string,
  format: DatasetFormat,
  options: DatasetReadOptions,
): ParsedDataset {
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'jsonl':
      return {
        kind: 'text-classification',
        dataset: parseClassificationText(text, {
          format,
          textColumn: options.textColumn,
          labelColumn: options.labelColumn,
          header: options.header,
        }),
      };
    case 'conll':
      return { kind: 'token-classification', dataset: parseConllText(text, options) };
    case 'conllu':
      return { kind: 'semantic-role-labeling', dataset: parseSemanticRoleText(text, options) };
    case 'text':
      return { kind: 'language-modelling', dataset: parsePlainText(text) };
  }
}

/** Returns the statistics of a parsed dataset, as stored and served. */
export function statisticsOf(parsed: ParsedDataset): Record<string, unknown> {
  if (parsed.kind !== 'text-classification') {
    return { ...parsed.dataset.stats };
  }
  const { examples, stats } = parsed.dataset;
  const sample = examples.slice(0, 2000).map((example) => example.text);
  // Words as the word-mode tokenizer of the trainers splits them, before n-grams are added.
  const tokenCounts = examples.map((example) => segment(example.text, 'word').length);
  return {
    ...stats,
    tokens: tokenCounts.reduce((sum, count) => sum + count, 0),
    tokenLength: summarizeLengths(tokenCounts),
    languageHint: guessLanguage(sample.join('\n')),
  };
}

/** Returns the labels (classification), tags (CoNLL) or argument labels (CoNLL-U) of a dataset. */
export function labelsOf(parsed: ParsedDataset): string[] {
  switch (parsed.kind) {
    case 'text-classification':
      return parsed.dataset.labels;
    case 'token-classification':
      return parsed.dataset.tags;
    case 'semantic-role-labeling':
      return parsed.dataset.labels;
    case 'language-modelling':
      return [];
  }
}
