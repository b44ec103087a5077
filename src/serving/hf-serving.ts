import type { Logger } from 'pino';
import type { AnyHuggingFaceTaskModel } from '../tasks/hf/index.js';
import {
  BatchScheduler,
  type BatchReport,
  type SchedulerLimits,
  type SchedulerStats,
  type SubmitOptions,
} from './scheduler/index.js';

/** Most parameter sets of one model with a scheduler of their own at a time. */
const MAX_PARAMETER_SETS = 16;

/**
 * Batches the requests to a Hugging Face model. Inputs share a batch only with inputs of the
 * same parameters, because parameters such as zero-shot candidate labels change what runs:
 * each distinct parameter set gets its own scheduler, and the least recently used idle one
 * is closed beyond {@link MAX_PARAMETER_SETS}.
 */
export class HuggingFaceServing {
  readonly model: AnyHuggingFaceTaskModel;
  readonly #reference: string;
  readonly #limits: Partial<SchedulerLimits>;
  readonly #onBatch: ((report: BatchReport) => void) | undefined;
  readonly #logger: Logger | undefined;
  readonly #schedulers = new Map<string, BatchScheduler<string, unknown>>();
  #closed = false;

  constructor(
    model: AnyHuggingFaceTaskModel,
    reference: string,
    options: {
      limits?: Partial<SchedulerLimits>;
      onBatch?: (report: BatchReport) => void;
      logger?: Logger;
    } = {},
  ) {
    this.model = model;
    this.#reference = reference;
    this.#limits = options.limits ?? {};
    this.#onBatch = options.onBatch;
    this.#logger = options.logger;
  }

  /** Queues `inputs` with `parameters` and returns one task output per input, in order. */
  submit(
    inputs: readonly string[],
    parameters: Record<string, unknown>,
    options: SubmitOptions = {},
  ): Promise<unknown[]> {
    return this.#schedulerFor(parameters).submit(inputs, options);
  }

  stats(): SchedulerStats {
    const all = [...this.#schedulers.values()].map((scheduler) => scheduler.stats());
    const last = all.map((stats) => stats.lastCompletedAt ?? 0);
    return {
      queueDepth: sum(all.map((stats) => stats.queueDepth)),
      runningBatches: sum(all.map((stats) => stats.runningBatches)),
      completedBatches: sum(all.map((stats) => stats.completedBatches)),
      failedBatches: sum(all.map((stats) => stats.failedBatches)),
      lastCompletedAt: Math.max(0, ...last) || null,
    };
  }

  isHealthy(now: number, staleMs: number): boolean {
    return [...this.#schedulers.values()].every((scheduler) => scheduler.isHealthy(now, staleMs));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#schedulers.values()].map((scheduler) => scheduler.close()));
    this.#schedulers.clear();
    await this.model.dispose();
  }

  #schedulerFor(parameters: Record<string, unknown>): BatchScheduler<string, unknown> {
    const key = stableKey(parameters);
    let scheduler = this.#schedulers.get(key);
    if (scheduler !== undefined && !this.#closed) {
      // Re-inserting marks the set as most recently used.
      this.#schedulers.delete(key);
      this.#schedulers.set(key, scheduler);
      return scheduler;
    }
    const model = this.model;
    scheduler = new BatchScheduler<string, unknown>({
      ...this.#limits,
      name: this.#reference,
      runBatch: (texts) => model.predict(texts, parameters as never) as Promise<unknown[]>,
      lengthOf: (text) => model.countTokens([text])[0] ?? 1,
      ...(this.#onBatch === undefined ? {} : { onBatch: this.#onBatch }),
      ...(this.#logger === undefined ? {} : { logger: this.#logger }),
    });
    if (this.#closed) void scheduler.close();
    this.#schedulers.set(key, scheduler);
    this.#closeIdleBeyondLimit();
    return scheduler;
  }

  #closeIdleBeyondLimit(): void {
    for (const [key, scheduler] of this.#schedulers) {
      if (this.#schedulers.size <= MAX_PARAMETER_SETS) return;
      const { queueDepth, runningBatches } = scheduler.stats();
      if (queueDepth === 0 && runningBatches === 0) {
        this.#schedulers.delete(key);
        void scheduler.close();
      }
    }
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** JSON of `value` with object keys sorted, so equal parameters give equal keys. */
function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}
