import type { AppContext } from '../../app/context.js';
import type { VersionRecord } from '../../registry/index.js';
import type { DatasetRecord, DatasetStore } from '../dataset-store/index.js';
import type { DatasetKind } from '../dataset-store/formats.js';
import type { EventWriter } from './event-writer.js';
import type { JobEventMap } from './events.js';
import type { JobRecord } from './job-record.js';

/** The datasets of a job request, read before it is queued. */
export interface JobDatasets {
  training: DatasetRecord;
  validation: DatasetRecord | undefined;
}

/** Settings of a job run that do not come from the job itself. */
export interface JobRunOptions {
  events: EventWriter;
  signal: AbortSignal;
  /** Time a cancelled worker gets to stop before it is terminated, in milliseconds. */
  cancelTimeoutMs: number;
}

/**
 * Trainer of the jobs of one task: its checks before a job is queued, and the run itself.
 * The runner and the job checks find a trainer by the job's task in `JOB_TRAINERS` and
 * nowhere else.
 */
export interface JobTrainer {
  /** Kind of dataset that the trainer reads. */
  readonly datasetKind: DatasetKind;
  /** Task of the models it registers. */
  readonly modelTask: string;
  /** Dataset formats it reads, with a short description, for the wrong-kind message. */
  readonly datasetHint: string;
  /**
   * Checks the snake_case `hyperparameters` of a request for `architecture` and returns them
   * with the trainer's camelCase names, as the job stores them.
   *
   * @throws MaasError MAAS_ERR_REQUEST_INVALID for an unknown name and
   * MAAS_ERR_TRAINING_INVALID for an invalid value, naming the field.
   */
  checkHyperparameters(
    architecture: string,
    hyperparameters: Record<string, unknown>,
  ): Record<string, unknown>;
  /**
   * Returns an upper estimate of the trainable weights of a model with the camelCase
   * `hyperparameters` that {@link checkHyperparameters} returned, before any data is read.
   */
  estimateParameters(architecture: string, hyperparameters: Record<string, unknown>): number;
  /**
   * Checks that the datasets can train the job, so that a job that cannot train is rejected
   * before it is queued.
   *
   * @throws MaasError MAAS_ERR_TRAINING_INVALID naming the problem.
   */
  checkData(
    store: DatasetStore,
    datasets: JobDatasets,
    job: { hyperparameters: Record<string, unknown>; validationSplit: number },
  ): Promise<void>;
  /** Trains the job in a worker thread, registers the version and returns the report event. */
  run(
    context: AppContext,
    job: JobRecord,
    options: JobRunOptions,
  ): Promise<{ version: VersionRecord; report: JobEventMap['report'] }>;
}
