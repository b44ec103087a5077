import { Option, type Command } from 'commander';
import { parseLabelNames, type LabeledFileOptions } from '../training/labeled-file.js';
import { parseFraction } from './parse.js';

/** Adds the options for reading a labeled file, shared by `train` and `eval`. */
export function addFileOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <format>', 'file format (default from the extension)').choices([
        'csv',
        'tsv',
        'jsonl',
      ]),
    )
    .option(
      '--text-column <column>',
      'name or 0-based index of the text column (default text, review, sentence or content)',
    )
    .option(
      '--label-column <column>',
      'name or 0-based index of the label column (default label, labels, category, cat or class)',
    )
    .option('--no-header', 'the CSV or TSV file has no header row; give columns by index')
    .option('--label-names <pairs>', 'rename labels, e.g. 0=negative,1=positive', parseLabelNames)
    .option(
      '--test-split <fraction>',
      'fraction of rows held out for the final report (seeded, stratified)',
      parseFraction,
      0,
    );
}

export function readFileOptions(options: Record<string, unknown>): LabeledFileOptions {
  return {
    format: options['format'] as LabeledFileOptions['format'],
    textColumn: column(options['textColumn']),
    labelColumn: column(options['labelColumn']),
    header: options['header'] === false ? false : undefined,
    labelNames: options['labelNames'] as Record<string, string> | undefined,
    testFraction: options['testSplit'] as number,
  };
}

function column(value: unknown): string | number | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}
