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
      .option('--top-k <n>', 'labels per text, highest score first, or "all"', '1')
      .option(
        '--predicate-index <n...>',
        'semantic role labeling: 0-based word index of each predicate to label',
      ),
  ).action(async (reference: string, texts: string[], options: Record<string, unknown>) => {
    const topK = parseTopK(options['topK'] as string);
    await withCommandContext(options, async (context) => {
      const loaded = await context.pool.get(reference);
      if (loaded.kind === 'in-house-srl') {
        const indexes = (options['predicateIndex'] as string[] | undefined) ?? [];
        if (indexes.length === 0) {
          throw new MaasError(
            'MAAS_ERR_REQUEST_INVALID',
            `${loaded.reference} labels the arguments of given predicates; pass --predicate-index with the 0-based word index of each`,
            { param: 'predicate_index' },
          );
        }
        const parameters = { predicate_indexes: indexes.map((value) => Number(value)) };
        const predicates = loaded.pipeline.readPredicates(
          parameters,
          context.settings['limits.max_predicates'],
        );
        const frames = await Promise.all(
          texts.map(async (text, index) => {
            const param = texts.length === 1 ? 'inputs' : `inputs[${index}]`;
            const encoding = loaded.pipeline.encode(text, predicates, param, false);
            return loaded.pipeline.frames(encoding, await loaded.pipeline.score(encoding.windows));
          }),
        );
        console.log(JSON.stringify(texts.length === 1 ? frames[0] : frames, null, 2));
        return;
      }
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
