/** Snapshot that {@link BatchScheduler.stats} returns. */
export interface SchedulerStats {
  /** Inputs waiting in the queue, not counting those in running batches. */
  queueDepth: number;
  runningBatches: number;
  /** Batches that finished, including failed ones. */
  completedBatches: number;
  /** Batches whose `runBatch` threw or returned the wrong number of outputs. */
  failedBatches: number;
  /** `Date.now()` when the last batch finished, or `null` before the first one. */
  lastCompletedAt: number | null;
}

/** Weight of the newest batch in the moving average of compute time per input. */
const COMPUTE_TIME_SMOOTHING = 0.2;

/** Counts and timings of finished batches, for scheduler stats, health and `Retry-After`. */
export class BatchStatistics {
  /** Batches that finished, including failed ones. */
  completedBatches = 0;
  failedBatches = 0;
  /** `Date.now()` when the last batch finished, or `null` before the first one. */
  lastCompletedAt: number | null = null;
  /** Moving average of compute ms per input of successful batches. */
  #msPerInput: number | undefined;

  record(size: number, computeMs: number, succeeded: boolean): void {
    this.completedBatches += 1;
    this.lastCompletedAt = Date.now();
    if (!succeeded) {
      this.failedBatches += 1;
      return;
    }
    const msPerInput = computeMs / size;
    this.#msPerInput =
      this.#msPerInput === undefined
        ? msPerInput
        : this.#msPerInput + COMPUTE_TIME_SMOOTHING * (msPerInput - this.#msPerInput);
  }

  /**
   * Estimates the seconds until `queuedInputs` have run, from the recent compute time per
   * input, at least 1. The estimate ignores running batches and new arrivals.
   */
  estimateRetryAfterSeconds(queuedInputs: number, concurrentBatches: number): number {
    const drainMs = (queuedInputs * (this.#msPerInput ?? 0)) / concurrentBatches;
    return Math.max(1, Math.ceil(drainMs / 1000));
  }
}
