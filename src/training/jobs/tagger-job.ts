import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import type { DatasetRecord } from '../dataset-store/index.js';
import type { ConllFile } from '../tagging/pipeline.js';
import {
  DEFAULT_TAGGER_HYPERPARAMETERS,
  type TaggerArchitecture,
  type TaggerHyperparameters,
} from '../tagging/model.js';
import { taggerModelCard } from '../tagging/register.js';
import { TOKEN_UNITS } from '../tagging/token-splitter.js';
import { DEFAULT_WORD_FEATURE_HYPERPARAMETERS } from '../tagging/word-features.js';
import type { WorkerTrainers } from '../worker/messages.js';
import { toCamelCase } from './classifier-job.js';
import type { EventWriter } from './event-writer.js';
import {
  checkHyperparameterValues,
  invalidHyperparameter,
  type HyperparameterRule,
} from './hyperparameter-checks.js';
import type { JobTrainer } from './job-trainer.js';
import { sentenceJobTrainingFields } from './sentence-job-fields.js';
import { runWorkerJob } from './worker-job.js';
import { estimateTaggerParameters } from './parameter-estimate.js';

/** Hyperparameters a tagger job takes, by their snake_case request names. */
const HYPERPARAMETER_NAMES: Readonly<Record<string, keyof TaggerHyperparameters>> = {
  unit: 'unit',
  embedding_dim: 'embeddingDim',
  units: 'units',
  dropout: 'dropout',
  learning_rate: 'learningRate',
  batch_size: 'batchSize',
  epochs: 'epochs',
  patience: 'patience',
  max_length: 'maxLength',
  min_count: 'minCount',
  vocabulary_size: 'vocabularySize',
  clip_norm: 'clipNorm',
  seed: 'seed',
  character_features: 'characterFeatures',
  ngram_min: 'ngramMin',
  ngram_max: 'ngramMax',
  ngram_buckets: 'ngramBuckets',
  max_ngrams: 'maxNgrams',
  ngram_embedding_dim: 'ngramEmbeddingDim',
  shape_embedding_dim: 'shapeEmbeddingDim',
};

const DEFAULT_NGRAM_MIN = DEFAULT_WORD_FEATURE_HYPERPARAMETERS.ngramMin;
const DEFAULT_NGRAM_MAX = DEFAULT_WORD_FEATURE_HYPERPARAMETERS.ngramMax;

/** Accepted values of each hyperparameter. The integer ranges are those of a classifier. */
const HYPERPARAMETER_RULES: Readonly<Record<string, HyperparameterRule>> = {
  unit: { kind: 'choice', values: TOKEN_UNITS },
  embedding_dim: { kind: 'integer', min: 1, max: 2048 },
  units: { kind: 'integer', min: 1, max: 2048 },
  dropout: { kind: 'rate' },
  learning_rate: { kind: 'learning-rate' },
  batch_size: { kind: 'integer', min: 1, max: 4096 },
  epochs: { kind: 'integer', min: 1, max: 1000 },
  patience: { kind: 'integer', min: 1, max: 1000 },
  max_length: { kind: 'integer', min: 1, max: 65_536 },
  min_count: { kind: 'integer', min: 1, max: 1_000_000 },
  vocabulary_size: { kind: 'integer', min: 3, max: 1_000_000 },
  clip_norm: { kind: 'positive' },
  seed: { kind: 'integer', min: 0, max: 2 ** 31 - 1 },
  character_features: { kind: 'boolean' },
  ngram_min: { kind: 'integer', min: 1, max: 16 },
  ngram_max: { kind: 'integer', min: 1, max: 16 },
  ngram_buckets: { kind: 'integer', min: 1, max: 10_000_000 },
  max_ngrams: { kind: 'integer', min: 1, max: 1024 },
  ngram_embedding_dim: { kind: 'integer', min: 1, max: 2048 },
  shape_embedding_dim: { kind: 'integer', min: 1, max: 2048 },
};

/** Trainer of `token-classification` jobs: the BiLSTM and BiLSTM-CRF taggers. */
export const TAGGER_JOB_TRAINER: JobTrainer = {
  datasetKind: 'token-classification',
  modelTask: 'token-classification',
  datasetHint: 'a conll file (a token and its BIO tag per line)',

  checkHyperparameters(_architecture, hyperparameters) {
    checkTaggerHyperparameters(hyperparameters);
    return toCamelCase(hyperparameters, HYPERPARAMETER_NAMES);
  },

  estimateParameters(_architecture, hyperparameters) {
    return estimateTaggerParameters(hyperparameters);
  },

  async checkData(store, { training, validation }, job) {
    if (training.labels.length < 2) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `a tagger needs at least 2 tags, but dataset ${training.id} has only ${training.labels.map((tag) => JSON.stringify(tag)).join(', ')}`,
        { param: 'dataset_id' },
      );
    }
    if (validation !== undefined) {
      rejectUnseenTags(training.labels, validation.labels, {
        part: 'the validation dataset',
        param: 'validation_dataset_id',
      });
      return;
    }
    const seed =
      (job.hyperparameters['seed'] as number | undefined) ?? DEFAULT_TAGGER_HYPERPARAMETERS.seed;
    const split = await store.splitTags(training, {
      validationFraction: job.validationSplit,
      seed,
    });
    rejectUnseenTags(split.trainTags, split.validationTags, {
      part: `the validation part (validation_split ${job.validationSplit}, seed ${seed})`,
      param: 'validation_split',
    });
  },

  run(context, job, options) {
    return runWorkerJob(context, job, options, {
      trainer: 'tagger',
      task: 'token-classification',
      request: ({ training, validation }, outputDir) => ({
        training: conllFile(context, training),
        ...(validation === undefined ? {} : { validation: conllFile(context, validation) }),
        validationFraction: job.validationSplit,
        hyperparameters: {
          ...(job.hyperparameters as Partial<TaggerHyperparameters>),
          architecture: job.architecture as TaggerArchitecture,
        },
        outputDir,
      }),
      writeEvent: writeTaggerEvent,
      modelCard: ({ training, validation }, result) => ({
        ...taggerModelCard({
          hyperparameters: result.hyperparameters,
          tags: result.tags,
          training: sentenceJobTrainingFields(job, training, validation, result, {
            dataset: {
              sentences: result.dataset.sentences,
              tokens: result.dataset.tokens,
              repaired_tags: result.dataset.repairedTags,
            },
          }),
          bestEpoch: result.bestEpoch,
          history: result.history,
          vocabularySize: result.vocabularySize,
          validation: result.validation,
          test: null,
          onnxParity: result.onnxParity,
        }),
        parameters: result.parameterCount,
      }),
    });
  },
};

/**
 * Checks the snake_case hyperparameters of a tagger job.
 *
 * @throws MaasError MAAS_ERR_REQUEST_INVALID for an unknown name, MAAS_ERR_TRAINING_INVALID
 * for an invalid value; both name the field as `hyperparameters.<name>`.
 */
export function checkTaggerHyperparameters(hyperparameters: Record<string, unknown>): void {
  checkHyperparameterValues(hyperparameters, HYPERPARAMETER_RULES, 'a tagger');
  const ngramMin = (hyperparameters['ngram_min'] as number | undefined) ?? DEFAULT_NGRAM_MIN;
  const ngramMax = (hyperparameters['ngram_max'] as number | undefined) ?? DEFAULT_NGRAM_MAX;
  if (ngramMin > ngramMax) {
    throw invalidHyperparameter(
      'ngram_min',
      ngramMin,
      `a length no greater than ngram_max (${ngramMax})`,
    );
  }
}

/** Rejects a validation set with tags that no training sentence has, naming the tags. */
function rejectUnseenTags(
  trainTags: readonly string[],
  validationTags: readonly string[],
  where: { part: string; param: string },
): void {
  const known = new Set(trainTags);
  const unseen = validationTags.filter((tag) => !known.has(tag));
  if (unseen.length === 0) return;
  const names = unseen.map((tag) => JSON.stringify(tag)).join(', ');
  throw new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `${where.part} has tag(s) ${names} that no training sentence has; add training sentences with them, remove them from the validation set or change the split`,
    { param: where.param, details: { tags: unseen } },
  );
}

/** Writes the job event of a tagger event; early-stop events are not stored. */
function writeTaggerEvent(events: EventWriter, event: WorkerTrainers['tagger']['event']): void {
  switch (event.type) {
    case 'started':
      events.started({
        train_rows: event.trainSentences,
        validation_rows: event.validationSentences,
        vocabulary_size: event.vocabularySize,
        batches_per_epoch: event.batchesPerEpoch,
        epochs: event.epochs,
      });
      break;
    case 'batch':
      events.batch(event);
      break;
    case 'epoch':
      events.write({
        type: 'epoch',
        data: {
          epoch: event.epoch,
          epochs: event.epochs,
          loss: event.loss,
          val_f1: event.valF1,
          val_token_accuracy: event.valTokenAccuracy,
          elapsed_ms: event.elapsedMs,
          improved: event.improved,
        },
      });
      break;
  }
}

function conllFile(context: AppContext, dataset: DatasetRecord): ConllFile {
  const { tokenColumn, tagColumn, repairTags } = dataset.readOptions;
  return {
    file: context.datasets.filePath(dataset),
    readOptions: {
      ...(tokenColumn === undefined ? {} : { tokenColumn }),
      ...(tagColumn === undefined ? {} : { tagColumn }),
      ...(repairTags === undefined ? {} : { repairTags }),
    },
  };
}
