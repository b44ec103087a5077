import type { Command } from 'commander';
import { SETTINGS, environmentVariableOf, type SettingName } from '../config/index.js';
import { configFromOptions } from './settings-options.js';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description(
      'print every setting with its effective value, where it came from and its variable',
    )
    .option('--config <file>', 'configuration file (default ./maas.config.json when present)')
    .option('--json', 'print JSON')
    .action((options: Record<string, unknown>) => {
      const config = configFromOptions(options);
      const rows = SETTINGS.map((setting) => ({
        name: setting.name,
        value: config.settings[setting.name as SettingName],
        source: config.sources[setting.name as SettingName],
        variable: environmentVariableOf(setting.name),
        description: setting.description,
      }));
      if (options['json'] === true) {
        console.log(JSON.stringify({ file: config.file ?? null, settings: rows }, null, 2));
        return;
      }
      const width = Math.max(...rows.map((row) => row.name.length));
      for (const row of rows) {
        console.log(
          `${row.name.padEnd(width)}  ${JSON.stringify(row.value)}  (${row.source}; ${row.variable})\n${''.padEnd(width)}  ${row.description}`,
        );
      }
    });
}
