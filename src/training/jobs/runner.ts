import { hostname } from 'node:os';
import { join } from 'node:path';

import type { Logger } from 'pino';

import type { AppContext } from '../../app/context.js';
import { MaasError, isMaasError } from '../../errors/index.js';
import { TRAINING_TEMP_DIR } from '../output-dir.js';
import type { JobEventHub } from './events.js';
import { EventWriter } from './event-writer.js';
import { failInterruptedJobs, removeStaleTrainingFolders } from './recovery.js';
import type { JobOutcome, JobRecord, JobStore } from './job-store.js';
import { trainerOf } from './trainers.js';

/** Settings of a {@link TrainingRunner}. */
export interface RunnerOptions {
  /** Jobs that train at the same time, each in its own worker thread. */
  concurrency: number;
  /** Time a cancelled worker gets to stop before it is terminated, in milliseconds. */
  cancelTimeoutMs: number;
}

/**
 * Runs queued training jobs of the metadata store in this process: at most `concurrency` at
 * once, oldest first. The queue is the `training_jobs` table, so jobs queued before a restart
 * run after it.
 */
export class TrainingRunner {
  readonly #context: AppContext;
  readonly #store: JobStore;
  readonly #hub: JobEventHub;
  readonly #logger: Logger;
  readonly #options: RunnerOptions;
  /** `host:pid` written on the jobs this process runs. */
  readonly #owner = `${hostname()}:${process.pid}`;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #pumping = false;
  #pumpAgain = false;
  #closing = false;

  constructor(
    context: AppContext,
    store: JobStore,
    hub: JobEventHub,
    logger: Logger,
    options: RunnerOptions,
  ) {
    this.#context = context;
    this.#store = store;
    this.#hub = hub;
    this.#logger = logger;
    this.#options = options;
  }

  /** Marks the jobs of crashed processes as failed, then starts the queued jobs. */
  async start(): Promise<void> {
    await failInterruptedJobs(this.#store, this.#hub, this.#logger);
    await removeStaleTrainingFolders(join(this.#context.dataDir, TRAINING_TEMP_DIR), this.#logger);
    this.wake();
  }

  /** Starts queued jobs while fewer than `concurrency` run. Call it after queueing a job. */
  wake(): void {
    void this.#pump().catch((error: unknown) =>
      this.#logger.error({ err: error }, 'starting queued training jobs failed'),
    );
  }

  /**
   * Cancels a job: a queued one at once, a running one by aborting its worker, which ends it
   * as `cancelled` shortly after.
   *
   * @throws MaasError MAAS_ERR_TRAINING_JOB_NOT_FOUND, or MAAS_ERR_TRAINING_JOB_STATE for a
   * finished job or one that another process runs.
   */
  async cancel(id: string): Promise<JobRecord> {
    const job = await this.#store.get(id);
    if (job.state === 'queued') {
      const event = await this.#store.finish(id, ['queued'], { state: 'cancelled' });
      if (event !== undefined) {
        this.#hub.publish(id, event);
        this.#logger.info({ job: id }, 'training job cancelled before it started');
        return this.#store.get(id);
      }
    }
    const running = this.#running.get(id);
    if (running !== undefined) {
      running.controller.abort();
      this.#logger.info({ job: id }, 'training job cancel requested');
      return this.#store.get(id);
    }
    const current = await this.#store.get(id);
    throw new MaasError(
      'MAAS_ERR_TRAINING_JOB_STATE',
      current.state === 'running'
        ? `training job ${id} runs in process ${current.owner ?? 'unknown'}, not in this server; cancel it there`
        : `training job ${id} is already ${current.state}, so it cannot be cancelled`,
      { param: 'id', details: { state: current.state } },
    );
  }

  /**
   * Stops taking jobs, aborts the running ones and waits for them to end. They end as
   * `failed`, because a shutdown is not a user's cancel.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const running = [...this.#running.values()];
    for (const { controller } of running) controller.abort();
    await Promise.all(running.map(({ done }) => done));
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      while (!this.#closing && this.#running.size < this.#options.concurrency) {
        const claimed = await this.#store.claimNext(this.#owner);
        if (claimed === undefined) break;
        this.#hub.publish(claimed.job.id, claimed.event);
        this.#startJob(claimed.job);
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#pumpAgain) {
      this.#pumpAgain = false;
      await this.#pump();
    }
  }

  #startJob(job: JobRecord): void {
    const controller = new AbortController();
    const done = this.#run(job, controller.signal)
      .catch((error: unknown) =>
        this.#logger.error({ err: error, job: job.id }, 'training job bookkeeping failed'),
      )
      .finally(() => {
        this.#running.delete(job.id);
        this.wake();
      });
    this.#running.set(job.id, { controller, done });
  }

  async #run(job: JobRecord, signal: AbortSignal): Promise<void> {
    const logger = this.#logger.child({ job: job.id, model: job.modelName });
    logger.info({ dataset: job.datasetId, architecture: job.architecture }, 'training job started');
    const events = new EventWriter(job.id, this.#store, this.#hub);
    let outcome: JobOutcome;
    try {
      const { version, report } = await trainerOf(job.task).run(this.#context, job, {
        events,
        signal,
        cancelTimeoutMs: this.#options.cancelTimeoutMs,
      });
      events.write({ type: 'report', data: report });
      outcome = { state: 'succeeded', modelVersion: version.version };
      logger.info({ version: version.version }, 'training job succeeded');
    } catch (error) {
      outcome = this.#outcomeOf(error);
      const fields = { state: outcome.state, reason: outcome.error?.message };
      if (this.#closing) {
        // The shutdown aborted the job, so the worker's cancel error is expected and needs no stack.
        logger.warn(fields, 'training job failed');
      } else if (outcome.state === 'failed') {
        logger.error({ err: error, ...fields }, 'training job failed');
      } else {
        logger.info(fields, `training job ${outcome.state}`);
      }
    }
    await events.flush();
    const final = await this.#store.finish(job.id, ['running'], outcome);
    if (final !== undefined) this.#hub.publish(job.id, final);
  }

  #outcomeOf(error: unknown): JobOutcome {
    if (this.#closing) {
      return {
        state: 'failed',
        error: {
          code: 'MAAS_ERR_TRAINING_FAILED',
          message: 'interrupted by a server shutdown; create the job again',
        },
      };
    }
    if (isMaasError(error) && error.code === 'MAAS_ERR_TRAINING_CANCELLED') {
      return { state: 'cancelled' };
    }
    const code = isMaasError(error) ? error.code : 'MAAS_ERR_INTERNAL_ERROR';
    const message = error instanceof Error ? error.message : String(error);
    return { state: 'failed', error: { code, message } };
  }
}
