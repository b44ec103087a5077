import { randomUUID } from 'node:crypto';

import { MaasError } from '../../errors/index.js';
import { assertAlias, assertModelName } from '../../registry/index.js';
import {
  resolveHyperparameters,
  type ClassifierArchitecture,
} from '../classification/hyperparameters.js';
import type { DatasetRecord, DatasetStore } from '../dataset-store/index.js';
import type { NewJob } from './job-store.js';
import { TRAINABLE, describeTrainable, type TrainableTask } from './states.js';

/** Body of `POST /v1/training-jobs`, with the wire's snake_case names. */
export interface JobRequest {
  dataset_id: string;
  validation_dataset_id?: string;
  task?: string;
  architecture?: string;
  hyperparameters?: Record<string, unknown>;
  validation_split?: number;
  model: string;
  alias?: string;
}

/** Default of `validation_split`, as for `maas train`. */
export const DEFAULT_VALIDATION_SPLIT = 0.1;

/** Hyperparameters a job takes, by their snake_case request names. */
const HYPERPARAMETER_NAMES: Readonly<Record<string, string>> = {
  max_length: 'maxLength',
  segmentation: 'segmentation',
  word_ngrams: 'wordNgrams',
  char_ngrams: 'charNgrams',
  lowercase: 'lowercase',
  vocabulary_size: 'vocabularySize',
  min_count: 'minCount',
  embedding_dim: 'embeddingDim',
  embedding_dtype: 'embeddingDtype',
  units: 'units',
  dropout: 'dropout',
  input_dropout: 'inputDropout',
  clip_norm: 'clipNorm',
  batch_size: 'batchSize',
  epochs: 'epochs',
  learning_rate: 'learningRate',
  patience: 'patience',
  class_weighting: 'classWeighting',
  seed: 'seed',
};

/**
 * Checks a job request against the datasets and the trainers, so that a job that cannot train
 * is rejected before it is queued, and returns the job to insert.
 *
 * @throws MaasError MAAS_ERR_DATASET_NOT_FOUND, MAAS_ERR_MODEL_NAME_INVALID and
 * MAAS_ERR_REQUEST_INVALID. MAAS_ERR_TASK_UNSUPPORTED for a task or architecture without a
 * trainer, listing the supported ones. MAAS_ERR_TRAINING_INVALID for a dataset of another
 * kind, fewer than 2 labels or invalid hyperparameters, and for a validation dataset with a
 * label that the training dataset lacks, named in the message and in `details.labels`.
 */
export async function prepareJob(datasets: DatasetStore, request: JobRequest): Promise<NewJob> {
  assertModelName(request.model);
  if (request.alias !== undefined) assertAlias(request.alias);
  const dataset = await datasets.get(request.dataset_id);
  const task = checkTask(request.task ?? dataset.task);
  const architecture = checkArchitecture(task, request.architecture ?? TRAINABLE[task][0]);
  checkDatasetKind(dataset, task, 'dataset_id');

  const hyperparameters = toCamelCase(request.hyperparameters ?? {});
  // Only text classification trains today, so the architecture is a classifier's.
  resolveHyperparameters({
    ...hyperparameters,
    architecture: architecture as ClassifierArchitecture,
  });
  const validationSplit = request.validation_split ?? DEFAULT_VALIDATION_SPLIT;
  if (!(validationSplit > 0 && validationSplit < 1)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `validation_split must be above 0 and below 1, got ${validationSplit}`,
      { param: 'validation_split' },
    );
  }
  if (dataset.labels.length < 2) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `a classifier needs at least 2 labels, but dataset ${dataset.id} has only ${dataset.labels.map((label) => JSON.stringify(label)).join(', ')}`,
      { param: 'dataset_id' },
    );
  }
  const validationDatasetId = await checkValidationDataset(datasets, dataset, task, request);
  return {
    id: `job-${randomUUID()}`,
    datasetId: dataset.id,
    validationDatasetId,
    task,
    architecture,
    hyperparameters,
    validationSplit,
    modelName: request.model,
    alias: request.alias ?? null,
  };
}

function checkTask(task: string): TrainableTask {
  if (!Object.hasOwn(TRAINABLE, task)) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `no trainer supports task ${JSON.stringify(task)} yet; supported: ${describeTrainable()}`,
      { param: 'task', details: { supported: TRAINABLE } },
    );
  }
  return task as TrainableTask;
}

function checkArchitecture(task: TrainableTask, architecture: string): string {
  const supported: readonly string[] = TRAINABLE[task];
  if (!supported.includes(architecture)) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `no ${task} trainer has architecture ${JSON.stringify(architecture)}; supported: ${describeTrainable()}`,
      { param: 'architecture', details: { supported: TRAINABLE } },
    );
  }
  return architecture;
}

function checkDatasetKind(dataset: DatasetRecord, task: TrainableTask, param: string): void {
  if (dataset.kind !== task) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `dataset ${dataset.id} contains ${dataset.kind} data (format ${dataset.format}), which cannot train task ${task}; upload a csv, tsv or jsonl file of labeled texts`,
      { param },
    );
  }
}

/** Checks that every label of the validation dataset occurs in the training dataset. */
async function checkValidationDataset(
  datasets: DatasetStore,
  training: DatasetRecord,
  task: TrainableTask,
  request: JobRequest,
): Promise<string | null> {
  if (request.validation_dataset_id === undefined) return null;
  const validation = await datasets.get(request.validation_dataset_id);
  checkDatasetKind(validation, task, 'validation_dataset_id');
  const known = new Set(training.labels);
  const unseen = validation.labels.filter((label) => !known.has(label));
  if (unseen.length > 0) {
    const names = unseen.map((label) => JSON.stringify(label)).join(', ');
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the validation dataset has label(s) ${names} that no training row has; add training rows with them or remove them from the validation dataset`,
      { param: 'validation_dataset_id', details: { labels: unseen } },
    );
  }
  return validation.id;
}

/** Maps snake_case hyperparameter names to the trainer's camelCase ones. */
function toCamelCase(hyperparameters: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(hyperparameters)) {
    const camel = HYPERPARAMETER_NAMES[name];
    if (camel === undefined) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `hyperparameters.${name} is not a known hyperparameter; known: ${Object.keys(HYPERPARAMETER_NAMES).join(', ')}`,
        { param: `hyperparameters.${name}` },
      );
    }
    result[camel] = value;
  }
  return result;
}
