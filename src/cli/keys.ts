import type { Command } from 'commander';

import { toKeyResource } from '../api/routes/keys.js';
import { parseScopes, type ApiKey } from '../tenancy/index.js';
import { recordCliAction } from './audit.js';
import { parseInteger } from './parse.js';
import { addDataOptions, withCommandContext } from './settings-options.js';
import { printTable } from './table.js';

/**
 * `maas keys create|list|revoke`, which work on the data folder directly, so no server needs
 * to run.
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys');
  registerCreateCommand(keys);

  addDataOptions(
    keys
      .command('list')
      .description('list API keys, revoked ones too')
      .option('--json', 'print JSON'),
  ).action(async (options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      const list = await context.tenancy.keys.list();
      if (options['json'] === true) {
        console.log(JSON.stringify(list.map(toKeyResource), null, 2));
        return;
      }
      printTable(
        [
          'ID',
          'NAME',
          'SCOPES',
          'MODELS',
          'RPM',
          'TPM',
          'CONCURRENT',
          'MONTHLY',
          'CREATED',
          'REVOKED',
        ],
        list.map(keyRow),
      );
    });
  });

  addDataOptions(keys.command('revoke <id>').description('revoke an API key')).action(
    async (id: string, options: Record<string, unknown>) => {
      await withCommandContext(options, async (context) => {
        const key = await context.tenancy.keys.revoke(id);
        await recordCliAction(context, 'keys.revoke', id);
        console.log(`revoked ${key.id} (${key.name}) at ${key.revokedAt ?? ''}`);
      });
    },
  );
}

function registerCreateCommand(keys: Command): void {
  addDataOptions(
    keys
      .command('create')
      .description('create an API key and print its secret on standard output, this once')
      .requiredOption('--name <name>', 'key name: letters, digits, ".", "_" or "-"')
      .requiredOption('--scopes <scopes>', 'comma-separated scopes: infer, train, admin')
      .option('--models <names>', 'comma-separated model names the key may use (default: all)')
      .option(
        '--rpm <n>',
        'requests per minute; 0 for no limit (default: keys.default_rpm)',
        parseInteger,
      )
      .option(
        '--tpm <n>',
        'tokens per minute; 0 for no limit (default: keys.default_tpm)',
        parseInteger,
      )
      .option(
        '--max-concurrent <n>',
        'requests in flight at once; 0 for no limit (default: keys.default_max_concurrent)',
        parseInteger,
      )
      .option(
        '--monthly-tokens <n>',
        'tokens per calendar month (UTC); 0 for no limit (default: keys.default_monthly_tokens)',
        parseInteger,
      )
      .option('--json', 'print the key and its secret as JSON'),
  ).action(async (options: Record<string, unknown>) => {
    const scopes = parseScopes(options['scopes'] as string, '--scopes');
    const models =
      options['models'] === undefined
        ? null
        : (options['models'] as string)
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== '');
    await withCommandContext(options, async (context) => {
      const { key, secret } = await context.tenancy.keys.create({
        name: options['name'] as string,
        scopes,
        models,
        limits: {
          rpm: (options['rpm'] as number | undefined) ?? null,
          tpm: (options['tpm'] as number | undefined) ?? null,
          maxConcurrent: (options['maxConcurrent'] as number | undefined) ?? null,
          monthlyTokens: (options['monthlyTokens'] as number | undefined) ?? null,
        },
      });
      await recordCliAction(context, 'keys.create', key.id, {
        name: key.name,
        scopes: key.scopes,
      });
      if (options['json'] === true) {
        console.log(JSON.stringify({ ...toKeyResource(key), secret }, null, 2));
        return;
      }
      console.error(
        `created ${key.id} (${key.name}, ${key.scopes.join(',')}); the secret is shown only now:`,
      );
      console.log(secret);
    });
  });
}

function limitCell(value: number | null): string {
  if (value === null) return 'default';
  if (value === 0) return 'none';
  return String(value);
}

function keyRow(key: ApiKey): string[] {
  return [
    key.id,
    key.name,
    key.scopes.join(','),
    key.models === null ? 'all' : key.models.join(','),
    limitCell(key.limits.rpm),
    limitCell(key.limits.tpm),
    limitCell(key.limits.maxConcurrent),
    limitCell(key.limits.monthlyTokens),
    key.createdAt,
    key.revokedAt ?? '',
  ];
}
