import type { Command } from 'commander';

import { toUsageResource } from '../api/routes/usage.js';
import { MaasError } from '../errors/index.js';
import { addDataOptions, withCommandContext } from './settings-options.js';
import { printTable } from './table.js';

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const USAGE_COLUMNS = [
  'day',
  'key',
  'model',
  'requests',
  'input_tokens',
  'output_tokens',
  'compute_ms',
  'errors',
] as const;

/** `maas usage` prints usage per day, key and model; `maas audit` prints the audit log. */
export function registerUsageCommands(program: Command): void {
  addDataOptions(
    program
      .command('usage')
      .description('print usage per day, key and model from the data folder')
      .option('--from <day>', 'first UTC day, YYYY-MM-DD')
      .option('--to <day>', 'last UTC day, YYYY-MM-DD')
      .option('--key <id>', 'only this key id')
      .option('--model <name>', 'only this model')
      .option('--csv', 'print CSV'),
  ).action(async (options: Record<string, unknown>) => {
    const from = readDay(options, 'from');
    const to = readDay(options, 'to');
    await withCommandContext(options, async (context) => {
      const rows = await context.tenancy.usage.query({
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(options['key'] === undefined ? {} : { keyId: options['key'] as string }),
        ...(options['model'] === undefined ? {} : { model: options['model'] as string }),
      });
      const cells = rows.map((row) => {
        const resource = toUsageResource(row);
        return USAGE_COLUMNS.map((column) => String(resource[column]));
      });
      if (options['csv'] === true) {
        for (const line of [[...USAGE_COLUMNS], ...cells])
          console.log(line.map(csvField).join(','));
        return;
      }
      printTable(
        USAGE_COLUMNS.map((column) => column.toUpperCase()),
        cells,
      );
    });
  });

  addDataOptions(
    program
      .command('audit')
      .description('print the audit log of admin actions, newest first')
      .option('--limit <n>', 'entries to print', '50')
      .option('--json', 'print JSON'),
  ).action(async (options: Record<string, unknown>) => {
    const limit = Number(options['limit']);
    await withCommandContext(options, async (context) => {
      const entries = await context.tenancy.audit.list({
        limit: Number.isSafeInteger(limit) && limit > 0 ? limit : 50,
      });
      if (options['json'] === true) {
        console.log(JSON.stringify(entries, null, 2));
        return;
      }
      printTable(
        ['AT', 'ACTOR', 'ACTION', 'TARGET', 'STATUS'],
        entries.map((entry) => [
          entry.at,
          entry.actor,
          entry.action,
          entry.target,
          entry.status === null ? '' : String(entry.status),
        ]),
      );
    });
  });
}

function readDay(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && DAY_PATTERN.test(value)) return value;
  throw new MaasError(
    'MAAS_ERR_REQUEST_INVALID',
    `--${name} must be a day as YYYY-MM-DD, got ${JSON.stringify(value)}`,
    {
      param: name,
    },
  );
}

/** Quotes a CSV field when it contains a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
