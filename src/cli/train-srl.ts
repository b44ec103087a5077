import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AppContext } from '../app/context.js';
import { MaasError } from '../errors/index.js';
import { parseSemanticRoleText } from '../training/datasets/conllu-srl.js';
import { formatArgumentReport } from '../training/evaluation/argument-report.js';
import { groupBySentence } from '../training/srl/instances.js';
import type { SrlHyperparameters } from '../training/srl/model.js';
import { trainAndRegisterSrlTagger } from '../training/srl/train-and-register.js';

/** Flags of `maas train` that a role tagger reads, with the hyperparameter each one sets. */
const SRL_FLAGS = {
  epochs: 'epochs',
  batchSize: 'batchSize',
  learningRate: 'learningRate',
  maxLength: 'maxLength',
  embeddingDim: 'embeddingDim',
  predicateEmbeddingDim: 'predicateEmbeddingDim',
  lstmLayers: 'layers',
  units: 'units',
  dropout: 'dropout',
  clipNorm: 'clipNorm',
  vocabularySize: 'vocabularySize',
  minCount: 'minCount',
  patience: 'patience',
  seed: 'seed',
} as const satisfies Record<string, keyof SrlHyperparameters>;
type SrlFlag = keyof typeof SRL_FLAGS;

/**
 * Rejects an `--architecture` other than bilstm, the only role tagger.
 *
 * @throws MaasError MAAS_ERR_TRAINING_INVALID naming the architecture.
 */
export function checkSrlArchitecture(options: Record<string, unknown>): void {
  const architecture = options['architecture'];
  if (architecture !== undefined && architecture !== 'bilstm') {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `--architecture ${String(architecture)} does not train semantic-role-labeling; use bilstm or leave it out`,
      { param: 'architecture' },
    );
  }
}

/**
 * Returns the role tagger flags given on the command line, by their camelCase option names
 * (`lstmLayers`). A training job takes them in snake_case (`lstm_layers`).
 */
export function srlFlagValues(options: Record<string, unknown>): Partial<Record<SrlFlag, number>> {
  const values: Partial<Record<SrlFlag, number>> = {};
  for (const flag of Object.keys(SRL_FLAGS) as SrlFlag[]) {
    const value = options[flag];
    if (typeof value === 'number') values[flag] = value;
  }
  return values;
}

/**
 * `maas train --task semantic-role-labeling`: reads a CoNLL-U file with PropBank columns,
 * trains a BiLSTM role tagger with a predicate indicator on a seeded split by sentence and
 * registers it.
 */
export async function runSrlTraining(
  context: AppContext,
  file: string,
  options: Record<string, unknown>,
  command: string,
): Promise<void> {
  checkSrlArchitecture(options);
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new MaasError(
      'MAAS_ERR_DATASET_NOT_FOUND',
      `cannot read ${file}: ${(error as Error).message}`,
      { param: 'file', cause: error },
    );
  });
  const senseColumn = options['senseColumn'];
  const dataset = parseSemanticRoleText(
    bytes.toString('utf8'),
    senseColumn === undefined ? {} : { senseColumn: Number(senseColumn) },
  );
  const hyperparameters: Partial<SrlHyperparameters> = {};
  for (const [flag, value] of Object.entries(srlFlagValues(options))) {
    hyperparameters[SRL_FLAGS[flag as SrlFlag]] = value;
  }

  const started = Date.now();
  const result = await trainAndRegisterSrlTagger(
    context.registry,
    groupBySentence(dataset.instances),
    {
      name: options['name'] as string,
      ...(options['description'] === undefined
        ? {}
        : { description: options['description'] as string }),
      ...(options['alias'] === undefined ? {} : { alias: options['alias'] as string }),
      testFraction: (options['testSplit'] as number | undefined) ?? 0,
      validationFraction: options['validationSplit'] as number,
      hyperparameters,
      training: {
        source: options['source'] ?? null,
        dataset: {
          file: basename(file),
          sha256: createHash('sha256').update(bytes).digest('hex'),
          sentences: dataset.stats.sentences,
          sentences_without_predicate: dataset.stats.sentencesWithoutPredicate,
          predicates: dataset.stats.instances,
          tokens: dataset.stats.tokens,
          role_counts: dataset.stats.roleCounts,
          sense_column: dataset.stats.senseColumn,
        },
        command,
      },
      onEvent: (event) => {
        if (event.type === 'epoch') {
          console.log(
            `epoch ${event.epoch}/${event.epochs}: loss ${event.loss.toFixed(4)}, validation argument F1 ${(event.valF1 * 100).toFixed(2)}%${event.improved ? ' (best)' : ''}, ${Math.round(event.elapsedMs / 1000)} s`,
          );
        } else if (event.type === 'started') {
          console.log(
            `training on ${event.trainPredicates} predicates, vocabulary ${event.vocabularySize}, ${event.batchesPerEpoch} batches per epoch`,
          );
        }
      },
    },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\nregistered ${result.version.name}@${result.version.version} (${seconds} s)`);
  console.log('\nvalidation\n' + formatArgumentReport(result.validation));
  if (result.test !== null) console.log('\nheld-out test\n' + formatArgumentReport(result.test));
}
