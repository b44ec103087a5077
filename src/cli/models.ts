import type { Command } from 'commander';
import { toDetail } from '../api/routes/models.js';
import { addDataOptions, withCommandContext } from './settings-options.js';

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('list and inspect registered models');

  addDataOptions(
    models
      .command('list')
      .description('list models with their latest version and aliases')
      .option('--json', 'print JSON'),
  ).action(async (options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      const list = await context.registry.listModels();
      if (options['json'] === true) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      const rows = list.map((model) => [
        model.name,
        model.task,
        String(model.latestVersion),
        Object.entries(model.aliases)
          .map(([alias, version]) => `${alias}→${version}`)
          .join(' '),
      ]);
      printTable(['NAME', 'TASK', 'LATEST', 'ALIASES'], rows);
    });
  });

  addDataOptions(
    models
      .command('show <name>')
      .description('print a model with its versions, aliases and model cards as JSON'),
  ).action(async (name: string, options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      console.log(JSON.stringify(toDetail(await context.registry.getModel(name)), null, 2));
    });
  });
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  for (const row of [header, ...rows]) {
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column] as number))
        .join('  ')
        .trimEnd(),
    );
  }
}
