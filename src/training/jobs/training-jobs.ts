import type { Logger } from 'pino';

import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import { prepareJob, type JobRequest } from './create-job.js';
import { JobEventHub } from './events.js';
import type { JobRecord, JobStore } from './job-store.js';
import { TrainingRunner } from './runner.js';
import { trainerOf } from './trainers.js';

/** Training jobs of one server: their store, the live event hub and the runner. */
export class TrainingJobs {
  readonly store: JobStore;
  readonly hub = new JobEventHub();
  readonly runner: TrainingRunner;
  readonly #context: AppContext;
  readonly #logger: Logger;

  constructor(context: AppContext, logger: Logger) {
    this.#context = context;
    this.#logger = logger;
    this.store = context.jobs;
    this.runner = new TrainingRunner(context, this.store, this.hub, logger, {
      concurrency: context.settings['training.concurrency'],
      cancelTimeoutMs: context.settings['training.cancel_timeout_ms'],
    });
  }

  /**
   * Checks and queues a job, then wakes the runner.
   *
   * @throws MaasError as {@link prepareJob}.
   */
  async create(request: JobRequest): Promise<JobRecord> {
    const prepared = await prepareJob(this.#context.datasets, request, {
      maxParameters: this.#context.settings['training.max_parameters'],
    });
    await this.#checkModelTask(prepared.modelName, trainerOf(prepared.task).modelTask);
    const job = await this.store.create(prepared);
    this.#logger.info(
      { job: job.id, dataset: job.datasetId, model: job.modelName },
      'training job queued',
    );
    const [queued] = await this.store.listEvents(job.id);
    if (queued !== undefined) this.hub.publish(job.id, queued);
    this.runner.wake();
    return job;
  }

  /** Rejects a job whose target model exists with another task, before it trains for nothing. */
  async #checkModelTask(name: string, task: string): Promise<void> {
    const existing = (await this.#context.registry.listModels()).find(
      (model) => model.name === name,
    );
    if (existing !== undefined && existing.task !== task) {
      throw new MaasError(
        'MAAS_ERR_MODEL_TASK_MISMATCH',
        `model ${name} has task ${existing.task}, so a job that trains ${task} models cannot add a version to it; choose another model name`,
        { param: 'model' },
      );
    }
  }
}
