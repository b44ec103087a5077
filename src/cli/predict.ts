import type { Command } from 'commander';
import { openContext } from '../app/context.js';
import { createLogger } from '../app/logger.js';
import { MaasError } from '../errors/index.js';
import { addDataOptions, configFromOptions } from './settings-options.js';

export function registerPredictCommand(program: Command): void {
  addDataOptions(
    program
      .command('predict <ref> <text...>')
      .description(
        'classify texts with a registered model (name, name@version or name@alias) and print JSON',
      )
      .option('--top-k <n>', 'labels per text, highest score first, or "all"', '1'),
  ).action(async (reference: string, texts: string[], options: Record<string, unknown>) => {
    const { settings } = configFromOptions(options);
    const logger = createLogger(
      settings['log.level'] === 'info' ? 'warn' : settings['log.level'],
      2,
    );
    const context = await openContext(settings, logger);
    try {
      const model = await context.pool.get(reference);
      const topK = parseTopK(options['topK'] as string);
      const results = await model.pipeline.predict(texts, { topK });
      const output = texts.length === 1 ? results[0] : results;
      console.log(JSON.stringify(output, null, 2));
    } finally {
      await context.close();
    }
  });
}

function parseTopK(value: string): number | null {
  if (value === 'all') return null;
  if (/^[1-9]\d*$/.test(value)) return Number(value);
  throw new MaasError(
    'MAAS_ERR_REQUEST_INVALID',
    `--top-k must be a positive integer or "all", got "${value}"`,
    { param: 'top_k' },
  );
}
