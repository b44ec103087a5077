import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import { SEMANTIC_ROLE_LABELING_TASK } from '../../tasks/srl-tagger-file.js';
import type { DatasetRecord } from '../dataset-store/index.js';
import { isArgumentRole } from '../evaluation/argument-report.js';
import { DEFAULT_SRL_HYPERPARAMETERS, type SrlHyperparameters } from '../srl/model.js';
import type { ConlluFile } from '../srl/pipeline.js';
import { srlModelCard } from '../srl/register.js';
import { heldOutValidationCount } from '../sequence/split.js';
import type { WorkerTrainers } from '../worker/messages.js';
import { toCamelCase } from './classifier-job.js';
import type { EventWriter } from './event-writer.js';
import { checkHyperparameterValues, type HyperparameterRule } from './hyperparameter-checks.js';
import type { JobTrainer } from './job-trainer.js';
import { sentenceJobTrainingFields } from './sentence-job-fields.js';
import { runWorkerJob } from './worker-job.js';
import { estimateSrlParameters } from './parameter-estimate.js';

/**
 * Hyperparameters a role tagger job takes, by their snake_case request names, with the names
 * the job stores them under. The request names are the flags of `maas train --task
 * semantic-role-labeling` in snake_case. `lstm_layers` is stored as `lstmLayers`, so that the
 * job reads back under the request name, and becomes the trainer's `layers` when the job runs.
 */
const HYPERPARAMETER_NAMES: Readonly<Record<string, string>> = {
  embedding_dim: 'embeddingDim',
  predicate_embedding_dim: 'predicateEmbeddingDim',
  units: 'units',
  lstm_layers: 'lstmLayers',
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
};

/** Accepted values of each hyperparameter. The integer ranges are those of a tagger job. */
const HYPERPARAMETER_RULES: Readonly<Record<string, HyperparameterRule>> = {
  embedding_dim: { kind: 'integer', min: 1, max: 2048 },
  predicate_embedding_dim: { kind: 'integer', min: 1, max: 2048 },
  units: { kind: 'integer', min: 1, max: 2048 },
  // The same range as a classifier's encoder_layers.
  lstm_layers: { kind: 'integer', min: 1, max: 64 },
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
};

/** Trainer of `semantic-role-labeling` jobs: the BiLSTM role tagger with a predicate indicator. */
export const SRL_JOB_TRAINER: JobTrainer = {
  datasetKind: 'semantic-role-labeling',
  modelTask: SEMANTIC_ROLE_LABELING_TASK,
  datasetHint:
    'a conllu file (CoNLL-U with a predicate-sense column and one argument column per predicate)',

  checkHyperparameters(_architecture, hyperparameters) {
    checkHyperparameterValues(hyperparameters, HYPERPARAMETER_RULES, 'a role tagger');
    return toCamelCase(hyperparameters, HYPERPARAMETER_NAMES);
  },

  estimateParameters(_architecture, hyperparameters) {
    return estimateSrlParameters(toSrlHyperparameters(hyperparameters));
  },

  async checkData(_store, { training, validation }, job) {
    rejectWithoutPredicates(training, 'dataset_id');
    const maxLength =
      (job.hyperparameters['maxLength'] as number | undefined) ??
      DEFAULT_SRL_HYPERPARAMETERS.maxLength;
    rejectPredicatesPastMaxLength(training, maxLength);
    if (!training.labels.some(isArgumentRole)) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `dataset ${training.id} labels no argument of any predicate, so a role tagger has nothing to learn; add argument labels such as ARG0`,
        { param: 'dataset_id' },
      );
    }
    if (validation !== undefined) {
      rejectWithoutPredicates(validation, 'validation_dataset_id');
      rejectUnseenRoles(training.labels, validation.labels);
      return;
    }
    const sentences = sentencesWithPredicate(training);
    if (sentences - heldOutValidationCount(sentences, job.validationSplit) < 1) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `dataset ${training.id} has ${sentences} sentence(s) with a predicate, and validation_split ${job.validationSplit} leaves none of them for training; add sentences, lower validation_split or set validation_dataset_id`,
        { param: 'validation_split' },
      );
    }
  },

  run(context, job, options) {
    return runWorkerJob(context, job, options, {
      trainer: 'srl',
      task: SEMANTIC_ROLE_LABELING_TASK,
      request: ({ training, validation }, outputDir) => ({
        training: conlluFile(context, training),
        ...(validation === undefined ? {} : { validation: conlluFile(context, validation) }),
        validationFraction: job.validationSplit,
        hyperparameters: toSrlHyperparameters(job.hyperparameters),
        outputDir,
      }),
      writeEvent: writeSrlEvent,
      modelCard: ({ training, validation }, result) =>
        srlModelCard({
          hyperparameters: result.hyperparameters,
          roles: result.roles,
          parameterCount: result.parameterCount,
          training: sentenceJobTrainingFields(job, training, validation, result, {
            dataset: {
              sentences: result.dataset.sentences,
              sentences_without_predicate: result.dataset.sentencesWithoutPredicate,
              predicates: result.dataset.predicates,
              tokens: result.dataset.tokens,
              role_counts: result.dataset.roleCounts,
              sense_column: result.dataset.senseColumn,
            },
            splitHead: { unit: 'sentence' },
            splitTail: {
              train_predicates: result.trainPredicates,
              validation_predicates: result.validationPredicates,
              test_predicates: 0,
            },
          }),
          bestEpoch: result.bestEpoch,
          history: result.history,
          vocabularySize: result.vocabularySize,
          validation: result.validation,
          test: null,
          onnxParity: result.onnxParity,
        }),
    });
  },
};

/** Renames the stored hyperparameters of a job to the trainer's names. */
function toSrlHyperparameters(stored: Record<string, unknown>): Partial<SrlHyperparameters> {
  const { lstmLayers, ...others } = stored;
  return {
    ...others,
    ...(lstmLayers === undefined ? {} : { layers: lstmLayers }),
  } as Partial<SrlHyperparameters>;
}

/** Returns the sentences of a CoNLL-U dataset that have a predicate, from its statistics. */
function sentencesWithPredicate(dataset: DatasetRecord): number {
  const { sentences, sentencesWithoutPredicate } = dataset.statistics as {
    sentences: number;
    sentencesWithoutPredicate: number;
  };
  return sentences - sentencesWithoutPredicate;
}

/**
 * Rejects a dataset with a predicate past `maxLength` tokens, which training would cut off.
 * Datasets stored before the statistic existed are checked when the worker trains.
 */
function rejectPredicatesPastMaxLength(dataset: DatasetRecord, maxLength: number): void {
  const last = dataset.statistics['lastPredicateToken'];
  if (typeof last !== 'number' || last <= maxLength) return;
  throw new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `dataset ${dataset.id} has a predicate at token ${last} of its sentence, past max_length ${maxLength}, and training keeps only the first max_length tokens; set hyperparameters.max_length to ${last} or more`,
    { param: 'hyperparameters.max_length' },
  );
}

/** Rejects a dataset without a predicate, which gives no training or validation example. */
function rejectWithoutPredicates(dataset: DatasetRecord, param: string): void {
  if (sentencesWithPredicate(dataset) > 0) return;
  throw new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `dataset ${dataset.id} has no predicate in its sense column (${String(dataset.statistics['senseColumn'])}), so it gives no semantic role labeling example; upload a file with predicate senses or set sense_column`,
    { param },
  );
}

/** Rejects a validation dataset with roles that no training predicate has, naming the roles. */
function rejectUnseenRoles(
  trainRoles: readonly string[],
  validationRoles: readonly string[],
): void {
  const known = new Set(trainRoles);
  const unseen = validationRoles.filter((role) => !known.has(role));
  if (unseen.length === 0) return;
  const names = unseen.map((role) => JSON.stringify(role)).join(', ');
  throw new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `the validation dataset has role(s) ${names} that no training predicate has; add training sentences with them or remove them from the validation dataset`,
    { param: 'validation_dataset_id', details: { roles: unseen } },
  );
}

/** Writes the job event of a role tagger event. Early-stop events have none. */
function writeSrlEvent(events: EventWriter, event: WorkerTrainers['srl']['event']): void {
  switch (event.type) {
    case 'started':
      events.started({
        train_rows: event.trainPredicates,
        validation_rows: event.validationPredicates,
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
          elapsed_ms: event.elapsedMs,
          improved: event.improved,
        },
      });
      break;
  }
}

function conlluFile(context: AppContext, dataset: DatasetRecord): ConlluFile {
  const { senseColumn } = dataset.readOptions;
  return {
    file: context.datasets.filePath(dataset),
    readOptions: senseColumn === undefined ? {} : { senseColumn },
  };
}
