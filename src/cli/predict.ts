import type { Command } from 'commander';
import { MaasError } from '../errors/index.js';
import { addDataOptions, withCommandContext } from './settings-options.js';

export function registerPredictCommand(program: Command): void {
  addDataOptions(
    program
      .command('predict <ref> <text...>')
      .description(
        'classify texts with a registered model (name, name@version or name@alias) and print JSON',
      )
      .option('--top-k <n>', 'labels per text, highest score first, or "all"', '1'),
  ).action(async (reference: string, texts: string[], options: Record<string, unknown>) => {
    const topK = parseTopK(options['topK'] as string);
    await withCommandContext(options, async (context) => {
      const loaded = await context.pool.get(reference);
      if (loaded.kind === 'in-house-tagger') {
        // Entity groups with offsets, as the server's predict route returns them.
        const entities = await Promise.all(
          texts.map(async (text) => {
            const encoding = loaded.pipeline.encode(text);
            const scores =
              encoding.windows.length === 0 ? [] : await loaded.pipeline.score(encoding.windows);
            return loaded.pipeline.entities(text, encoding, scores, {});
          }),
        );
        console.log(JSON.stringify(texts.length === 1 ? entities[0] : entities, null, 2));
        return;
      }
      const model = await context.pool.getInHouse(reference);
      const results = await model.pipeline.predict(texts, { topK });
      const output = texts.length === 1 ? results[0] : results;
      console.log(JSON.stringify(output, null, 2));
    });
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
