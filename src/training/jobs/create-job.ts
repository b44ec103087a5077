import { randomUUID } from 'node:crypto';

import { MaasError } from '../../errors/index.js';
import { assertAlias, assertModelName } from '../../registry/index.js';
import type { DatasetRecord, DatasetStore } from '../dataset-store/index.js';
import type { JobTrainer } from './job-trainer.js';
import type { NewJob } from './job-store.js';
import { TRAINABLE, describeTrainable, type TrainableTask } from './states.js';
import { JOB_TRAINERS, taskOfDatasetKind } from './trainers.js';

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

/** Limits of the server that a job request must keep. */
export interface JobLimits {
  /** `training.max_parameters`: the maximum number of trainable weights of one job's model. */
  maxParameters: number;
}

/** Default of `validation_split`, as for `maas train`. */
export const DEFAULT_VALIDATION_SPLIT = 0.1;

/**
 * Checks a job request against the datasets and the trainers, so that a job that cannot train
 * is rejected before it is queued, and returns the job to insert.
 *
 * @throws MaasError MAAS_ERR_DATASET_NOT_FOUND, MAAS_ERR_MODEL_NAME_INVALID and
 * MAAS_ERR_REQUEST_INVALID. MAAS_ERR_TASK_UNSUPPORTED for a task or architecture without a
 * trainer, listing the supported ones. MAAS_ERR_DATASET_KIND_MISMATCH for a dataset of
 * another kind than the task's trainer reads. MAAS_ERR_TRAINING_INVALID for fewer than 2
 * labels, invalid hyperparameters, and for a validation set with a label or tag that the
 * training data lacks, named in the message and in `details`.
 */
export async function prepareJob(
  datasets: DatasetStore,
  request: JobRequest,
  limits: JobLimits,
): Promise<NewJob> {
  assertModelName(request.model, 'model');
  if (request.alias !== undefined) assertAlias(request.alias, 'alias');
  const dataset = await getDataset(datasets, request.dataset_id, 'dataset_id');
  const task = checkTask(request.task, dataset);
  const trainer = JOB_TRAINERS[task];
  const architecture = checkArchitecture(task, request.architecture ?? TRAINABLE[task][0]);
  checkDatasetKind(dataset, task, trainer, 'dataset_id');
  const hyperparameters = trainer.checkHyperparameters(architecture, request.hyperparameters ?? {});
  checkParameterBudget(trainer.estimateParameters(architecture, hyperparameters), limits);
  const validationSplit = request.validation_split ?? DEFAULT_VALIDATION_SPLIT;
  if (!(validationSplit > 0 && validationSplit < 1)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `validation_split must be above 0 and below 1, got ${validationSplit}`,
      { param: 'validation_split' },
    );
  }
  let validation: DatasetRecord | undefined;
  if (request.validation_dataset_id !== undefined) {
    validation = await getDataset(datasets, request.validation_dataset_id, 'validation_dataset_id');
    checkDatasetKind(validation, task, trainer, 'validation_dataset_id');
  }
  await trainer.checkData(
    datasets,
    { training: dataset, validation },
    { hyperparameters, validationSplit },
  );
  return {
    id: `job-${randomUUID()}`,
    datasetId: dataset.id,
    validationDatasetId: validation?.id ?? null,
    task,
    architecture,
    hyperparameters,
    validationSplit,
    modelName: request.model,
    alias: request.alias ?? null,
  };
}

/** Returns the requested task, or without one the task that trains the dataset's kind. */
function checkTask(requested: string | undefined, dataset: DatasetRecord): TrainableTask {
  const task = requested ?? taskOfDatasetKind(dataset.kind);
  if (task === undefined) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `dataset ${dataset.id} contains ${dataset.kind} data (format ${dataset.format}), which no trainer supports yet; supported: ${describeTrainable()}`,
      { param: 'dataset_id', details: { supported: TRAINABLE } },
    );
  }
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

/** Returns a dataset, with a not-found error that names the request field `param`. */
async function getDataset(
  datasets: DatasetStore,
  id: string,
  param: string,
): Promise<DatasetRecord> {
  try {
    return await datasets.get(id);
  } catch (error) {
    if (error instanceof MaasError && error.code === 'MAAS_ERR_DATASET_NOT_FOUND') {
      throw new MaasError(error.code, error.message, { param, cause: error });
    }
    throw error;
  }
}

/** Rejects a dataset of another kind than the trainer reads, such as a CSV for a tagger. */
function checkDatasetKind(
  dataset: DatasetRecord,
  task: TrainableTask,
  trainer: JobTrainer,
  param: string,
): void {
  if (dataset.kind !== trainer.datasetKind) {
    throw new MaasError(
      'MAAS_ERR_DATASET_KIND_MISMATCH',
      `dataset ${dataset.id} contains ${dataset.kind} data (format ${dataset.format}), which cannot train task ${task}; upload ${trainer.datasetHint}`,
      { param, details: { kind: dataset.kind, expected: trainer.datasetKind } },
    );
  }
}

/**
 * Rejects a job whose model could have more weights than `training.max_parameters`, so that
 * one request cannot make the server allocate more memory than it has.
 */
function checkParameterBudget(estimate: number, limits: JobLimits): void {
  if (estimate <= limits.maxParameters) return;
  throw new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `the hyperparameters allow a model of up to ${estimate.toLocaleString('en-US')} weights, over training.max_parameters (${limits.maxParameters.toLocaleString('en-US')}); lower vocabulary_size, embedding_dim, units or the number of layers, or raise the setting`,
    { param: 'hyperparameters', details: { estimate, max_parameters: limits.maxParameters } },
  );
}
