import { readFile } from 'node:fs/promises';
import type { AppContext } from '../app/context.js';
import { MaasError } from '../errors/index.js';
import type { InHouseSrlModel } from '../serving/model-pool.js';
import { parseSemanticRoleText } from '../training/datasets/conllu-srl.js';
import {
  computeArgumentReport,
  formatArgumentReport,
  type ArgumentReport,
} from '../training/evaluation/argument-report.js';
import { groupBySentence, splitSrlSentences, type SrlExample } from '../training/srl/instances.js';
import { describeTrainingOverlap } from './training-overlap.js';

/** Predicates run through the model per batch. */
const EVAL_BATCH_SIZE = 64;

/**
 * Labels the predicates of `examples` with a loaded role tagger, through the same ONNX graph
 * and decoding the server uses, and scores the arguments against the gold labels.
 */
export async function evaluateSrlModel(
  model: InHouseSrlModel,
  examples: readonly SrlExample[],
): Promise<ArgumentReport> {
  const predicted: string[][] = [];
  for (let first = 0; first < examples.length; first += EVAL_BATCH_SIZE) {
    const batch = examples.slice(first, first + EVAL_BATCH_SIZE);
    const encodings = batch.map((example, index) =>
      model.pipeline.encodeWords(
        example.tokens,
        [example.predicateIndex],
        `predicate ${first + index}`,
      ),
    );
    const scores = await model.pipeline.score(encodings.flatMap((encoding) => encoding.windows));
    encodings.forEach((encoding, index) => {
      const [frame] = model.pipeline.frames(encoding, [scores[index] as Float32Array]);
      const labels = encoding.tokens.map(() => 'O');
      if (frame !== undefined) {
        labels[frame.predicate.index] = 'V';
        for (const argument of frame.arguments) labels[argument.index] = argument.role;
      }
      predicted.push(labels);
    });
  }
  return computeArgumentReport(
    examples.map((example) => example.labels),
    predicted,
  );
}

/**
 * `maas eval` of a semantic role tagger on a CoNLL-U file with PropBank columns. With a test
 * fraction it scores the held-out sentences of the seeded split by sentence, which matches
 * the model card's test part when seed and fraction match the training run.
 */
export async function runSrlEval(
  context: AppContext,
  model: InHouseSrlModel,
  file: string,
  options: Record<string, unknown>,
): Promise<void> {
  const version = await context.registry.resolve(`${model.name}@${model.version}`);
  const split = (version.modelCard['training'] as { split?: { seed?: number } } | undefined)?.split;
  const seed = (options['seed'] as number | undefined) ?? split?.seed ?? 42;
  const testFraction = (options['testSplit'] as number | undefined) ?? 0;
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new MaasError(
      'MAAS_ERR_DATASET_NOT_FOUND',
      `cannot read ${file}: ${(error as Error).message}`,
      { param: 'file', cause: error },
    );
  });
  const sentences = groupBySentence(parseSemanticRoleText(bytes.toString('utf8')).instances);
  const examples =
    testFraction > 0
      ? splitSrlSentences(sentences, { testFraction, validationFraction: 0.1, seed }).test
      : sentences.flatMap((sentence) => sentence.examples);
  const overlap = await describeTrainingOverlap(version.modelCard, file, testFraction);
  if (overlap !== undefined) console.error(`warning: ${overlap}`);
  const report = await evaluateSrlModel(model, examples);
  console.log(
    options['json'] === true
      ? JSON.stringify(report, null, 2)
      : `${model.name}@${model.version} on ${examples.length} predicates of ${file}\n\n${formatArgumentReport(report)}`,
  );
}
