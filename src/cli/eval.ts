import type { Command } from 'commander';
import type { AppContext } from '../app/context.js';
import { MaasError } from '../errors/index.js';
import type { InHouseTaggerModel } from '../serving/model-pool.js';
import { parseConllText } from '../training/datasets/conll.js';
import { readUtf8File } from '../training/datasets/text-file.js';
import { computeSpanReport, formatSpanReport } from '../training/evaluation/span-report.js';
import { splitSentences } from '../training/tagging/split.js';
import {
  computeClassificationReport,
  formatClassificationReport,
} from '../training/evaluation/classification-report.js';
import { readLabeledSplits } from '../training/labeled-file.js';
import { runSrlEval } from './eval-srl.js';
import { describeTrainingOverlap } from './training-overlap.js';
import { addFileOptions, readFileOptions } from './file-options.js';
import { parseInteger } from './parse.js';
import { addDataOptions, withCommandContext } from './settings-options.js';

/** Texts or sentences run per call into the model. */
const EVAL_BATCH_SIZE = 64;

export function registerEvalCommand(program: Command): void {
  const command = program
    .command('eval <ref> <file>')
    .description(
      'evaluate a registered model on a labeled file and print the report: a CoNLL file for a tagger, a CoNLL-U file with PropBank columns for a semantic role tagger',
    )
    .option(
      '--seed <n>',
      'seed of the --test-split split; the default is the seed in the model card',
      parseInteger,
    )
    .option('--token-column <n>', 'tagger: 0-based column of the token (default 0)', parseInteger)
    .option('--tag-column <n>', 'tagger: 0-based column of the tag (default last)', parseInteger)
    .option(
      '--repair-tags',
      'tagger: rewrite an I-X tag that continues no X entity to B-X instead of rejecting the file',
    )
    .option('--json', 'print the report as JSON');
  addDataOptions(addFileOptions(command)).action(
    async (reference: string, file: string, options: Record<string, unknown>) => {
      await withCommandContext(options, async (context) => {
        const model = await context.pool.get(reference);
        if (model.kind === 'in-house-srl') {
          await runSrlEval(context, model, file, options);
        } else if (model.kind === 'in-house-tagger') {
          await evaluateTagger(context, model, file, options);
        } else {
          await evaluateClassifier(context, reference, file, options);
        }
      });
    },
  );
}

async function evaluateClassifier(
  context: AppContext,
  reference: string,
  file: string,
  options: Record<string, unknown>,
): Promise<void> {
  const model = await context.pool.getInHouse(reference);
  const version = await context.registry.resolve(`${model.name}@${model.version}`);
  const fileOptions = readFileOptions(options);
  const splits = await readLabeledSplits(
    file,
    fileOptions,
    (options['seed'] as number | undefined) ?? cardSeed(version.modelCard) ?? 42,
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
      `the file has label(s) ${unknown.join(', ')} that ${model.name}@${model.version} does not predict (its labels: ${labels.join(', ')}); ${fileOptions.labelNames === undefined ? 'rename them with --label-names' : 'make --label-names map the file labels to these, or evaluate another version (maas models show lists them)'}`,
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
}

/**
 * Tags the tokens of a CoNLL file with a tagger trained here, through its ONNX graph, and
 * prints the token accuracy and the conlleval span scores per type and overall.
 */
async function evaluateTagger(
  context: AppContext,
  model: InHouseTaggerModel,
  file: string,
  options: Record<string, unknown>,
): Promise<void> {
  const version = await context.registry.resolve(model.reference);
  const dataset = parseConllText(await readUtf8File(file), {
    ...(options['tokenColumn'] === undefined
      ? {}
      : { tokenColumn: options['tokenColumn'] as number }),
    ...(options['tagColumn'] === undefined ? {} : { tagColumn: options['tagColumn'] as number }),
    repairTags: options['repairTags'] === true,
  });
  const testFraction = (options['testSplit'] as number | undefined) ?? 0;
  // The test part comes first in the seeded order, whatever the validation fraction is.
  const sentences =
    testFraction > 0
      ? splitSentences(dataset.sentences, {
          testFraction,
          validationFraction: 0.1,
          seed: (options['seed'] as number | undefined) ?? cardSeed(version.modelCard) ?? 42,
        }).test
      : dataset.sentences;
  const overlap = await describeTrainingOverlap(version.modelCard, file, testFraction);
  if (overlap !== undefined) console.error(`warning: ${overlap}`);
  const unknown = dataset.tags.filter((tag) => !model.pipeline.tags.includes(tag));
  if (unknown.length > 0) {
    console.error(
      `warning: the file has tag(s) ${unknown.join(', ')} that ${model.reference} does not predict, so their tokens count as errors`,
    );
  }

  const predicted: string[][] = [];
  for (let start = 0; start < sentences.length; start += EVAL_BATCH_SIZE) {
    const batch = sentences.slice(start, start + EVAL_BATCH_SIZE);
    predicted.push(...(await model.pipeline.tagTokens(batch.map((sentence) => sentence.tokens))));
  }
  const report = computeSpanReport(
    sentences.map((sentence) => sentence.tags),
    predicted,
  );
  console.log(
    options['json'] === true
      ? JSON.stringify(report, null, 2)
      : `${model.reference} on ${sentences.length} sentences of ${file}\n\n${formatSpanReport(report)}`,
  );
}

/** Seed of the split recorded in a model card, if any. */
function cardSeed(modelCard: Record<string, unknown>): number | undefined {
  return (modelCard['training'] as { split?: { seed?: number } } | undefined)?.split?.seed;
}
