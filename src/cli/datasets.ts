import { stat } from 'node:fs/promises';
import { basename } from 'node:path';

import { Option, type Command } from 'commander';

import { MaasError } from '../errors/index.js';
import {
  DATASET_FORMATS,
  fileSource,
  toDatasetJson,
  type DatasetReadOptions,
} from '../training/dataset-store/index.js';
import { parseInteger } from './parse.js';
import { printTable } from './table.js';
import { addDataOptions, withCommandContext } from './settings-options.js';

/** `maas datasets add|list|show|rm`, working on the data folder directly. */
export function registerDatasetsCommand(program: Command): void {
  const datasets = program
    .command('datasets')
    .description('store, list, inspect and delete datasets in the data folder');
  registerAddCommand(datasets);

  addDataOptions(
    datasets
      .command('list')
      .description('list datasets, newest first')
      .option('--json', 'print JSON'),
  ).action(async (options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      const list = await context.datasets.list();
      if (options['json'] === true) {
        console.log(JSON.stringify(list.map(toDatasetJson), null, 2));
        return;
      }
      const rows = list.map((dataset) => [
        dataset.id.slice(0, 12),
        dataset.name,
        dataset.format,
        dataset.kind,
        String(dataset.sizeBytes),
        dataset.createdAt,
      ]);
      printTable(['ID', 'NAME', 'FORMAT', 'KIND', 'BYTES', 'CREATED'], rows);
    });
  });

  addDataOptions(
    datasets.command('show <id>').description('print a dataset with its statistics as JSON'),
  ).action(async (id: string, options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      const dataset = await context.datasets.get(await resolveId(context.datasets, id));
      console.log(JSON.stringify(toDatasetJson(dataset), null, 2));
    });
  });

  addDataOptions(
    datasets.command('rm <id>').description('delete a dataset: its file and its metadata'),
  ).action(async (id: string, options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      const full = await resolveId(context.datasets, id);
      await context.datasets.remove(full);
      console.log(`deleted dataset ${full}`);
    });
  });
}

function registerAddCommand(datasets: Command): void {
  addDataOptions(
    datasets
      .command('add <file>')
      .description('validate a dataset file and store it; the same bytes are stored once')
      .addOption(
        new Option('--format <format>', 'file format (default from the extension)').choices(
          DATASET_FORMATS,
        ),
      )
      .option('--name <name>', 'display name (default the file name)')
      .option('--text-column <column>', 'csv, tsv, jsonl: name or 0-based index of the text')
      .option('--label-column <column>', 'csv, tsv, jsonl: name or 0-based index of the label')
      .option('--no-header', 'csv, tsv: the file has no header row')
      .option('--token-column <n>', 'conll: 0-based token column (default 0)', parseInteger)
      .option('--tag-column <n>', 'conll: 0-based tag column (default the last)', parseInteger)
      .option('--repair-tags', 'conll: rewrite an I-X tag that continues no X entity to B-X')
      .option('--sense-column <n>', 'conllu: 0-based predicate-sense column', parseInteger),
  ).action(async (file: string, options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      await assertReadable(file);
      const { dataset, created } = await context.datasets.add(
        fileSource(file),
        {
          fileName: basename(file),
          name: options['name'] as string | undefined,
          format: options['format'] as string | undefined,
          options: readOptions(options),
        },
        Number.MAX_SAFE_INTEGER,
      );
      console.log(`${created ? 'stored' : 'already stored as'} dataset ${dataset.id}`);
      console.log(JSON.stringify(toDatasetJson(dataset)['statistics'], null, 2));
    });
  });
}

function readOptions(options: Record<string, unknown>): DatasetReadOptions {
  const read: DatasetReadOptions = {};
  if (typeof options['textColumn'] === 'string') read.textColumn = column(options['textColumn']);
  if (typeof options['labelColumn'] === 'string') {
    read.labelColumn = column(options['labelColumn']);
  }
  if (options['header'] === false) read.header = false;
  if (typeof options['tokenColumn'] === 'number') read.tokenColumn = options['tokenColumn'];
  if (typeof options['tagColumn'] === 'number') read.tagColumn = options['tagColumn'];
  if (options['repairTags'] === true) read.repairTags = true;
  if (typeof options['senseColumn'] === 'number') read.senseColumn = options['senseColumn'];
  return read;
}

function column(value: string): string | number {
  return /^\d+$/.test(value) ? Number(value) : value;
}

async function assertReadable(file: string): Promise<void> {
  try {
    await stat(file);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_DATASET_NOT_FOUND',
      `cannot read dataset file ${file}: no such file`,
      {
        param: 'file',
        cause: error,
      },
    );
  }
}

/** Shortest dataset id prefix that the CLI expands. */
const MIN_ID_PREFIX_LENGTH = 6;

/** Expands a unique id prefix of at least 6 characters, as `maas datasets list` prints them. */
async function resolveId(
  store: { list(): Promise<{ id: string }[]> },
  prefix: string,
): Promise<string> {
  if (/^[0-9a-f]{64}$/.test(prefix)) return prefix;
  if (prefix.length < MIN_ID_PREFIX_LENGTH) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `dataset id ${JSON.stringify(prefix)} is too short: give the 64-character id or at least its first ${MIN_ID_PREFIX_LENGTH} characters, as maas datasets list prints them`,
      { param: 'id' },
    );
  }
  const matches = (await store.list()).filter((dataset) => dataset.id.startsWith(prefix));
  if (matches.length > 1) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `dataset id prefix ${prefix} matches ${matches.length} datasets; give more characters`,
      { param: 'id' },
    );
  }
  return matches[0]?.id ?? prefix;
}
