import type { Logger } from 'pino';
import { MaasError } from '../../errors/index.js';
import { paddedTokens, selectBatch } from './batch-selection.js';
import { BatchStatistics, type SchedulerStats } from './batch-statistics.js';
import {
  cancelledError,
  closingError,
  deadlineExceededError,
  invalidLengthError,
  invalidSubmitError,
  queueFullError,
  requestLargerThanQueueError,
  wrongOutputCountError,
} from './errors.js';
import {
  MAX_TIMER_DELAY_MS,
  resolveSchedulerOptions,
  type BatchReport,
  type BatchSchedulerOptions,
  type SchedulerLimits,
  type SubmitOptions,
} from './options.js';
import { PendingRequest, type QueueEntry } from './pending-request.js';

/**
 * Dynamic batcher for one loaded model. Requests queue their inputs, and the scheduler runs
 * them through `runBatch` in batches bounded by count and by padded tokens, grouping inputs
 * of similar length. A batch that is not full waits at most `maxQueueDelayMs` for more
 * inputs. Queued inputs of a request that is cancelled, misses its deadline or fails in an
 * earlier batch are removed and never run.
 *
 * Every timer is cleared when its request settles or the scheduler closes, so none keeps the
 * process alive after {@link BatchScheduler.close} has resolved.
 */
export class BatchScheduler<Input, Output> {
  readonly name: string;
  readonly limits: Readonly<SchedulerLimits>;
  readonly #runBatch: (inputs: Input[]) => Promise<readonly Output[]>;
  readonly #lengthOf: (input: Input) => number;
  readonly #onBatch: ((report: BatchReport) => void) | undefined;
  readonly #logger: Logger | undefined;

  /** Queued entries in arrival order. */
  #queue: QueueEntry<Input, Output>[] = [];
  readonly #running = new Set<Promise<void>>();
  #runningCount = 0;
  readonly #statistics = new BatchStatistics();
  /** `Date.now()` when the scheduler last went from idle to busy. */
  #busySince = 0;
  #delayTimer: ReturnType<typeof setTimeout> | undefined;
  #dispatchQueued = false;
  #closed: Promise<void> | undefined;

  /** @throws MaasError `MAAS_ERR_CONFIG_INVALID` naming the first invalid option. */
  constructor(options: BatchSchedulerOptions<Input, Output>) {
    this.limits = resolveSchedulerOptions(options);
    this.name = options.name ?? 'model';
    this.#runBatch = options.runBatch;
    this.#lengthOf = options.lengthOf;
    this.#onBatch = options.onBatch;
    this.#logger = options.logger;
  }

  /**
   * Queues `inputs` and resolves with their outputs in the same order. The inputs may run in
   * different batches. Rejects without queueing anything with `MAAS_ERR_MODEL_OVERLOADED`
   * (with `retryAfterSeconds`) when the queue has no room for all of them,
   * `MAAS_ERR_INPUT_TOO_MANY` when they exceed `maxQueueLength` alone, and
   * `MAAS_ERR_NOT_READY` after {@link close}.
   */
  submit(inputs: readonly Input[], options: SubmitOptions = {}): Promise<Output[]> {
    try {
      return this.#enqueue(inputs, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  stats(): SchedulerStats {
    return {
      queueDepth: this.#queue.length,
      runningBatches: this.#runningCount,
      completedBatches: this.#statistics.completedBatches,
      failedBatches: this.#statistics.failedBatches,
      lastCompletedAt: this.#statistics.lastCompletedAt,
    };
  }

  /**
   * Reports whether the scheduler is making progress, for a readiness check. Returns true when
   * nothing is queued or running, or when a batch finished or the scheduler became busy within
   * `staleMs` before `now` (ms since the epoch). Returns false after {@link close}.
   */
  isHealthy(now: number, staleMs: number): boolean {
    if (this.#closed !== undefined) return false;
    if (this.#isIdle()) return true;
    const lastProgress = Math.max(this.#busySince, this.#statistics.lastCompletedAt ?? 0);
    return now - lastProgress <= staleMs;
  }

  /**
   * Rejects every queued request with `MAAS_ERR_NOT_READY` and resolves once the running
   * batches have finished and delivered their outputs. Later submissions are rejected.
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      clearTimeout(this.#delayTimer);
      this.#delayTimer = undefined;
      const queued = this.#queue;
      this.#queue = [];
      this.#closed = Promise.allSettled([...this.#running]).then(() => undefined);

      const error = closingError(this.name);
      for (const entry of queued) {
        entry.request.queuedCount = 0;
        entry.request.reject(error);
      }
    }
    return this.#closed;
  }

  #enqueue(inputs: readonly Input[], { signal, deadlineMs }: SubmitOptions): Promise<Output[]> {
    if (this.#closed !== undefined) throw closingError(this.name);
    if (!Array.isArray(inputs)) {
      throw invalidSubmitError('inputs', `inputs must be an array, got ${typeof inputs}`);
    }
    if (deadlineMs !== undefined && (typeof deadlineMs !== 'number' || Number.isNaN(deadlineMs))) {
      throw invalidSubmitError(
        'deadlineMs',
        `deadlineMs must be a number of milliseconds, got ${String(deadlineMs)}`,
      );
    }
    if (signal?.aborted) throw cancelledError(this.name, signal.reason);
    if (deadlineMs !== undefined && deadlineMs <= 0) {
      throw deadlineExceededError(this.name, deadlineMs);
    }
    if (inputs.length === 0) return Promise.resolve([]);

    const { maxQueueLength } = this.limits;
    if (inputs.length > maxQueueLength) {
      throw requestLargerThanQueueError(this.name, inputs.length, maxQueueLength);
    }
    if (this.#queue.length + inputs.length > maxQueueLength) {
      const retryAfterSeconds = this.#statistics.estimateRetryAfterSeconds(
        this.#queue.length,
        this.limits.maxConcurrentBatches,
      );
      throw queueFullError(
        this.name,
        this.#queue.length,
        maxQueueLength,
        inputs.length,
        retryAfterSeconds,
      );
    }
    const tokens = inputs.map((input, index) => this.#countTokens(input, index));

    if (this.#isIdle()) this.#busySince = Date.now();
    const request = new PendingRequest<Output>(inputs.length);
    const enqueuedAt = performance.now();
    inputs.forEach((input, index) => {
      const count = tokens[index] as number;
      const entry = {
        request,
        index,
        input,
        tokens: count,
        length: Math.max(1, count),
        enqueuedAt,
      };
      this.#queue.push(entry);
    });
    request.queuedCount = inputs.length;
    this.#watch(request, signal, deadlineMs);

    // Dispatching after the current synchronous code lets inputs submitted together share a
    // batch.
    this.#scheduleDispatch();
    return request.promise;
  }

  #countTokens(input: Input, index: number): number {
    const tokens: unknown = this.#lengthOf(input);
    if (!Number.isSafeInteger(tokens) || (tokens as number) < 0) {
      throw invalidLengthError(this.name, index, tokens);
    }
    return tokens as number;
  }

  /** Rejects `request` when `signal` aborts or when its deadline passes while it is queued. */
  #watch(
    request: PendingRequest<Output>,
    signal: AbortSignal | undefined,
    deadlineMs: number | undefined,
  ): void {
    if (signal !== undefined) {
      const onAbort = (): void => this.#fail(request, cancelledError(this.name, signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      request.onSettle(() => signal.removeEventListener('abort', onAbort));
    }
    if (deadlineMs !== undefined && deadlineMs <= MAX_TIMER_DELAY_MS) {
      const timer = setTimeout(() => {
        // A request whose inputs all run already is left to finish.
        if (request.queuedCount > 0) {
          this.#fail(request, deadlineExceededError(this.name, deadlineMs));
        }
      }, deadlineMs);
      request.onSettle(() => clearTimeout(timer));
    }
  }

  /** Rejects `request` and removes its queued entries. */
  #fail(request: PendingRequest<Output>, error: unknown): void {
    request.reject(error);
    if (request.queuedCount > 0) {
      this.#queue = this.#queue.filter((entry) => entry.request !== request);
      request.queuedCount = 0;
    }
  }

  #scheduleDispatch(): void {
    if (this.#dispatchQueued) return;
    this.#dispatchQueued = true;
    queueMicrotask(() => {
      this.#dispatchQueued = false;
      this.#dispatch();
    });
  }

  /** Starts batches while a batch slot is free and the next batch is full or has waited enough. */
  #dispatch(): void {
    const { maxConcurrentBatches, maxQueueDelayMs } = this.limits;
    while (
      this.#closed === undefined &&
      this.#runningCount < maxConcurrentBatches &&
      this.#queue.length > 0
    ) {
      const selection = selectBatch(this.#queue, this.limits);
      const oldest = this.#queue[0] as QueueEntry<Input, Output>;
      const waitMs = oldest.enqueuedAt + maxQueueDelayMs - performance.now();
      if (!selection.full && waitMs > 0) {
        this.#armDelayTimer(waitMs);
        return;
      }
      this.#start(selection.entries, selection.longest);
    }
  }

  #armDelayTimer(waitMs: number): void {
    // The head of the queue only changes to entries that arrived later, so the due time only
    // moves later and an armed timer is never late.
    if (this.#delayTimer !== undefined) return;
    this.#delayTimer = setTimeout(() => {
      this.#delayTimer = undefined;
      this.#dispatch();
    }, Math.ceil(waitMs));
  }

  #start(entries: QueueEntry<Input, Output>[], longest: number): void {
    const selected = new Set(entries);
    this.#queue = this.#queue.filter((entry) => !selected.has(entry));
    for (const entry of entries) entry.request.queuedCount -= 1;
    this.#runningCount += 1;

    const run = this.#execute(entries, longest);
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  /** Runs one batch and settles its requests. Never rejects. */
  async #execute(entries: QueueEntry<Input, Output>[], longest: number): Promise<void> {
    const started = performance.now();
    const firstEnqueuedAt = entries.reduce(
      (min, entry) => Math.min(min, entry.enqueuedAt),
      started,
    );
    let outputs: readonly Output[] | undefined;
    let error: unknown;
    try {
      const result: unknown = await this.#runBatch(entries.map((entry) => entry.input));
      if (Array.isArray(result) && result.length === entries.length) {
        outputs = result as readonly Output[];
      } else {
        error = wrongOutputCountError(this.name, result, entries.length);
      }
    } catch (caught) {
      error = caught;
    }
    const computeMs = performance.now() - started;

    this.#runningCount -= 1;
    this.#statistics.record(entries.length, computeMs, outputs !== undefined);
    if (outputs === undefined) {
      // A generation stopped by its client's disconnect is expected, not a failure.
      if (error instanceof MaasError && error.code === 'MAAS_ERR_REQUEST_CANCELLED') {
        this.#logger?.debug({ model: this.name, batchSize: entries.length }, 'batch cancelled');
      } else {
        this.#logger?.error(
          { err: error, model: this.name, batchSize: entries.length },
          'batch failed',
        );
      }
      for (const request of new Set(entries.map((entry) => entry.request))) {
        this.#fail(request, error);
      }
    } else {
      entries.forEach((entry, row) => entry.request.deliver(entry.index, outputs[row] as Output));
    }

    this.#report({
      size: entries.length,
      paddedTokens: paddedTokens(entries.length, longest),
      realTokens: entries.reduce((sum, entry) => sum + entry.tokens, 0),
      queueMs: started - firstEnqueuedAt,
      computeMs,
      failed: outputs === undefined,
    });
    this.#dispatch();
  }

  #report(report: BatchReport): void {
    this.#logger?.debug({ model: this.name, ...report }, 'batch finished');
    try {
      this.#onBatch?.(report);
    } catch (error) {
      this.#logger?.error({ err: error, model: this.name }, 'onBatch callback failed');
    }
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.#runningCount === 0;
  }
}
