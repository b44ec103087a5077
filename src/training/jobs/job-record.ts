import type { TrainingJobsTable } from '../../storage/index.js';
import type { JobState } from './states.js';
import { snakeCaseKeys } from '../../util/snake-case.js';

/** Training job, with the JSON columns of its row parsed. */
export interface JobRecord {
  id: string;
  datasetId: string;
  validationDatasetId: string | null;
  task: string;
  architecture: string;
  /** Hyperparameter overrides with camelCase keys. */
  hyperparameters: Record<string, unknown>;
  validationSplit: number;
  modelName: string;
  alias: string | null;
  state: JobState;
  progress: number;
  epoch: number;
  metrics: unknown[];
  error: { code: string; message: string } | null;
  owner: string | null;
  modelVersion: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Converts a `training_jobs` row, whose JSON columns this code wrote, into a record. */
export function toJobRecord(row: TrainingJobsTable): JobRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    validationDatasetId: row.validation_dataset_id,
    task: row.task,
    architecture: row.architecture,
    hyperparameters: JSON.parse(row.hyperparameters) as Record<string, unknown>,
    validationSplit: row.validation_split,
    modelName: row.model_name,
    alias: row.alias,
    state: row.state as JobState,
    progress: row.progress,
    epoch: row.epoch,
    metrics: JSON.parse(row.metrics) as unknown[],
    error: row.error === null ? null : (JSON.parse(row.error) as JobRecord['error']),
    owner: row.owner,
    modelVersion: row.model_version,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Job in the wire format of the HTTP API (snake_case fields). */
export function toJobJson(job: JobRecord): Record<string, unknown> {
  return {
    id: job.id,
    object: 'training_job',
    dataset_id: job.datasetId,
    validation_dataset_id: job.validationDatasetId,
    task: job.task,
    architecture: job.architecture,
    hyperparameters: snakeCaseKeys(job.hyperparameters),
    // A validation dataset replaces the split, so the split is not shown.
    validation_split: job.validationDatasetId === null ? job.validationSplit : null,
    model: job.modelName,
    alias: job.alias,
    state: job.state,
    progress: job.progress,
    epoch: job.epoch,
    metrics: job.metrics,
    error: job.error,
    model_version: job.modelVersion,
    created_at: job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
  };
}
