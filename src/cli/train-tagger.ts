import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AppContext } from '../app/context.js';
import { MaasError } from '../errors/index.js';
import { parseConllText } from '../training/datasets/conll.js';
import { formatSpanReport } from '../training/evaluation/span-report.js';
import {
  TAGGER_ARCHITECTURES,
  type TaggerArchitecture,
  type TaggerHyperparameters,
} from '../training/tagging/model.js';
import { TOKEN_UNITS, type TokenUnit } from '../training/tagging/token-splitter.js';
import { trainAndRegisterTagger } from '../training/tagging/train-and-register.js';

/** Flags of `maas train` that a tagger reads, with the hyperparameter each one sets. */
const TAGGER_FLAGS = {
  epochs: 'epochs',
  batchSize: 'batchSize',
  learningRate: 'learningRate',
  maxLength: 'maxLength',
  embeddingDim: 'embeddingDim',
  units: 'units',
  dropout: 'dropout',
  clipNorm: 'clipNorm',
  vocabularySize: 'vocabularySize',
  minCount: 'minCount',
  patience: 'patience',
  seed: 'seed',
  ngramMin: 'ngramMin',
  ngramMax: 'ngramMax',
  ngramBuckets: 'ngramBuckets',
  maxNgrams: 'maxNgrams',
  ngramEmbeddingDim: 'ngramEmbeddingDim',
  shapeEmbeddingDim: 'shapeEmbeddingDim',
} as const satisfies Record<string, keyof TaggerHyperparameters>;

/**
 * `maas train --task token-classification`: reads a CoNLL file (one token and its tag per
 * line), trains a BiLSTM or BiLSTM-CRF tagger on a seeded split and registers it.
 */
export async function runTaggerTraining(
  context: AppContext,
  file: string,
  options: Record<string, unknown>,
  command: string,
): Promise<void> {
  const hyperparameters = taggerHyperparameters(options);
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new MaasError(
      'MAAS_ERR_DATASET_NOT_FOUND',
      `cannot read ${file}: ${(error as Error).message}`,
      {
        param: 'file',
        cause: error,
      },
    );
  });
  const dataset = parseConllText(bytes.toString('utf8'), {
    ...(options['tokenColumn'] === undefined
      ? {}
      : { tokenColumn: Number(options['tokenColumn']) }),
    ...(options['tagColumn'] === undefined ? {} : { tagColumn: Number(options['tagColumn']) }),
    repairTags: options['repairTags'] === true,
  });
  // Chinese NER files tag one character per line; others tag words.
  hyperparameters.unit ??= dataset.stats.languageHint === 'zh' ? 'character' : 'word';

  const started = Date.now();
  const result = await trainAndRegisterTagger(context.registry, dataset.sentences, {
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
        tokens: dataset.stats.tokens,
        repaired_tags: dataset.stats.repairedTags,
      },
      command,
    },
    onEvent: (event) => {
      if (event.type === 'epoch') {
        console.log(
          `epoch ${event.epoch}/${event.epochs}: loss ${event.loss.toFixed(4)}, validation F1 ${(event.valF1 * 100).toFixed(2)}%${event.improved ? ' (best)' : ''}, ${Math.round(event.elapsedMs / 1000)} s`,
        );
      } else if (event.type === 'started') {
        console.log(
          `training on ${event.trainSentences} sentences, vocabulary ${event.vocabularySize}, ${event.batchesPerEpoch} batches per epoch`,
        );
      }
    },
  });
  console.log(
    `\nregistered ${result.version.name}@${result.version.version} (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  console.log('\nvalidation\n' + formatSpanReport(result.validation));
  if (result.test !== null) console.log('\nheld-out test\n' + formatSpanReport(result.test));
}

/** Reads the tagger's hyperparameters from the flags; unset ones keep their defaults. */
export function taggerHyperparameters(
  options: Record<string, unknown>,
): Partial<TaggerHyperparameters> & { unit?: TokenUnit } {
  const architecture = (options['architecture'] as string | undefined) ?? 'bilstm-crf';
  if (!(TAGGER_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `--architecture ${architecture} does not train token-classification; use ${TAGGER_ARCHITECTURES.join(' or ')}`,
      { param: 'architecture' },
    );
  }
  const unit = options['unit'] as string | undefined;
  if (unit !== undefined && !(TOKEN_UNITS as readonly string[]).includes(unit)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `--unit must be ${TOKEN_UNITS.join(' or ')}, got ${unit}`,
      {
        param: 'unit',
      },
    );
  }
  const hyperparameters: Partial<TaggerHyperparameters> = {
    architecture: architecture as TaggerArchitecture,
  };
  if (options['characterFeatures'] === false) hyperparameters.characterFeatures = false;
  for (const [flag, name] of Object.entries(TAGGER_FLAGS)) {
    const value = options[flag];
    if (typeof value === 'number') (hyperparameters as Record<string, number>)[name] = value;
  }
  return { ...hyperparameters, ...(unit === undefined ? {} : { unit: unit as TokenUnit }) };
}
