import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MaasError } from '../errors/index.js';
import {
  computeClassificationReport,
  formatClassificationReport,
} from '../training/evaluation/classification-report.js';
import { readLabeledSplits } from '../training/labeled-file.js';
import { runSrlEval } from './eval-srl.js';
import { addFileOptions, readFileOptions } from './file-options.js';
import { parseInteger } from './parse.js';
import { addDataOptions, withCommandContext } from './settings-options.js';

/** Texts classified per call into the model. */
const EVAL_BATCH_SIZE = 64;

export function registerEvalCommand(program: Command): void {
  const command = program
    .command('eval <ref> <file>')
    .description(
      'evaluate a registered model on a labeled file and print the report; a semantic role tagger reads a CoNLL-U file with PropBank columns',
    )
    .option(
      '--seed <n>',
      'seed of the --test-split split; the default is the seed in the model card',
      parseInteger,
    )
    .option('--json', 'print the report as JSON');
  addDataOptions(addFileOptions(command)).action(
    async (reference: string, file: string, options: Record<string, unknown>) => {
      await withCommandContext(options, async (context) => {
        const loaded = await context.pool.get(reference);
        if (loaded.kind === 'in-house-srl') {
          await runSrlEval(context, loaded, file, options);
          return;
        }
        const model = await context.pool.getInHouse(reference);
        const version = await context.registry.resolve(`${model.name}@${model.version}`);
        const cardSeed = (
          version.modelCard['training'] as { split?: { seed?: number } } | undefined
        )?.split?.seed;
        const fileOptions = readFileOptions(options);
        const splits = await readLabeledSplits(
          file,
          fileOptions,
          (options['seed'] as number | undefined) ?? cardSeed ?? 42,
        );
        const rows = (fileOptions.testFraction ?? 0) > 0 ? splits.test : splits.rest;
        const overlap = await describeTrainingOverlap(
          version.modelCard,
          file,
          fileOptions.testFraction ?? 0,
        );
        if (overlap !== undefined) {
          console.error(`warning: ${overlap}`);
        }
        const labels = model.pipeline.labels;
        const unknown = splits.labels.filter((label) => !labels.includes(label));
        if (unknown.length > 0) {
          throw new MaasError(
            'MAAS_ERR_DATASET_INVALID',
            `the file has label(s) ${unknown.join(', ')} that ${model.name} does not predict (its labels: ${labels.join(', ')}); rename them with --label-names`,
            { param: 'label_names' },
          );
        }

        const predicted: number[] = [];
        for (let start = 0; start < rows.length; start += EVAL_BATCH_SIZE) {
          const batch = rows.slice(start, start + EVAL_BATCH_SIZE).map((row) => row.text);
          const results = await model.pipeline.predict(batch, { topK: 1 });
          predicted.push(...results.map((result) => labels.indexOf(result[0]?.label as string)));
        }
        const expected = rows.map((row) => labels.indexOf(row.label));
        const report = computeClassificationReport(labels, expected, predicted);
        console.log(
          options['json'] === true
            ? JSON.stringify(report, null, 2)
            : `${model.name}@${model.version} on ${rows.length} rows of ${file}\n\n${formatClassificationReport(report)}`,
        );
      });
    },
  );
}

/**
 * Explains why the evaluated rows may include rows the model trained on: the file is the
 * training file (same SHA-256) and the held-out fraction differs from the model card's.
 */
async function describeTrainingOverlap(
  modelCard: Record<string, unknown>,
  file: string,
  testFraction: number,
): Promise<string | undefined> {
  const training = modelCard['training'] as
    { dataset?: { sha256?: string }; split?: { test_fraction?: number } } | undefined;
  const digest = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
  if (training?.dataset?.sha256 !== digest) {
    return undefined;
  }
  const trainedFraction = training.split?.test_fraction ?? 0;
  if (trainedFraction === 0) {
    return 'the model was trained on this file without a held-out part, so these rows include training rows';
  }
  if (trainedFraction !== testFraction) {
    return `the model held out --test-split ${trainedFraction} of this file; with --test-split ${testFraction} the rows include training rows`;
  }
  return undefined;
}
