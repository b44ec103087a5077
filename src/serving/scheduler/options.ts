import type { Logger } from 'pino';
import { MaasError } from '../../errors/index.js';

/** Limits of one {@link BatchScheduler}. */
export interface SchedulerLimits {
  /** Maximum number of inputs in one batch. */
  maxBatchSize: number;
  /**
   * Maximum tokens in one batch after padding: batch size × longest input, each input counted
   * as at least 1 token. An input longer than this still runs, in a batch of its own.
   */
  maxBatchTokens: number;
  /**
   * Maximum time in ms that the oldest queued input waits for more inputs before a batch that
   * is not full runs. 0 runs every batch as soon as a batch slot is free.
   */
  maxQueueDelayMs: number;
  /** Maximum number of queued inputs. A request that would exceed it is rejected. */
  maxQueueLength: number;
  /** Maximum number of batches that run at the same time. */
  maxConcurrentBatches: number;
  /**
   * Maximum ratio of a batch's tokens after padding to its real tokens. An input that would
   * push a batch past it waits for a batch of inputs of its own length, because padded
   * steps cost as much as real ones.
   */
  maxPaddingRatio: number;
}

/**
 * Default limits, for the settings `serving.max_batch_size`, `serving.max_batch_tokens`,
 * `serving.max_queue_delay_ms`, `serving.max_queue_length`,
 * `serving.max_concurrent_batches` and `serving.max_padding_ratio` to use as their defaults.
 */
export const DEFAULT_SCHEDULER_LIMITS: Readonly<SchedulerLimits> = Object.freeze({
  maxBatchSize: 32,
  maxBatchTokens: 16_384,
  maxQueueDelayMs: 0,
  maxQueueLength: 1024,
  maxConcurrentBatches: 1,
  maxPaddingRatio: 1.5,
});

/** Measurements of one finished batch, passed to {@link BatchSchedulerOptions.onBatch}. */
export interface BatchReport {
  /** Number of inputs in the batch. */
  size: number;
  /** Batch size × longest input in tokens, at least 1 per input. */
  paddedTokens: number;
  /** Sum of the token counts of the inputs, as `lengthOf` returned them. */
  realTokens: number;
  /** Maximum time in ms that an input of the batch waited in the queue. */
  queueMs: number;
  /** Time in ms that `runBatch` took. */
  computeMs: number;
  /** Whether `runBatch` threw or returned the wrong number of outputs. */
  failed: boolean;
}

export interface BatchSchedulerOptions<Input, Output> extends Partial<SchedulerLimits> {
  /**
   * Runs one batch and returns one output per input, in the order of `inputs`. The scheduler
   * sorts a batch by length, so `inputs` is not in the order of submission.
   */
  runBatch: (inputs: Input[]) => Promise<readonly Output[]>;
  /** Number of tokens of an input after truncation: a non-negative integer. */
  lengthOf: (input: Input) => number;
  /**
   * Name used in error messages and logs, e.g. the model reference `sentiment-zh@3`.
   * @defaultValue `model`
   */
  name?: string;
  /** Called after each batch. Errors it throws are logged to `logger`, if given, and ignored. */
  onBatch?: (report: BatchReport) => void;
  logger?: Logger;
}

/** Options of {@link BatchScheduler.submit}. */
export interface SubmitOptions {
  /** Aborting it rejects the request with `MAAS_ERR_REQUEST_CANCELLED`. */
  signal?: AbortSignal;
  /**
   * Maximum time in ms from submission until every input of the request has started running;
   * otherwise the request is rejected with `MAAS_ERR_DEADLINE_EXCEEDED`. Values above
   * {@link MAX_TIMER_DELAY_MS} (about 24.8 days) and `Infinity` set no deadline.
   */
  deadlineMs?: number;
}

/** Maximum delay in ms that `setTimeout` accepts. Node runs a longer delay after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Returns the limits of `options` with defaults filled in.
 * @throws MaasError `MAAS_ERR_CONFIG_INVALID` naming the first invalid option.
 */
export function resolveSchedulerOptions<Input, Output>(
  options: BatchSchedulerOptions<Input, Output>,
): Readonly<SchedulerLimits> {
  for (const name of ['runBatch', 'lengthOf'] as const) {
    if (typeof options[name] !== 'function') {
      throw invalidOption(name, `${name} must be a function, got ${formatValue(options[name])}`);
    }
  }
  if (options.onBatch !== undefined && typeof options.onBatch !== 'function') {
    throw invalidOption(
      'onBatch',
      `onBatch must be a function, got ${formatValue(options.onBatch)}`,
    );
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw invalidOption(
      'name',
      `name must be a non-empty string, got ${formatValue(options.name)}`,
    );
  }

  const limits = { ...DEFAULT_SCHEDULER_LIMITS };
  for (const key of Object.keys(limits) as (keyof SchedulerLimits)[]) {
    const value = options[key];
    if (value !== undefined) limits[key] = value;
  }
  requireInteger(limits, 'maxBatchSize', 1);
  requireInteger(limits, 'maxBatchTokens', 1);
  requireInteger(limits, 'maxQueueLength', 1);
  requireInteger(limits, 'maxConcurrentBatches', 1);
  const ratio = limits.maxPaddingRatio;
  if (typeof ratio !== 'number' || !(ratio >= 1)) {
    throw invalidOption(
      'maxPaddingRatio',
      `maxPaddingRatio must be a number of at least 1, got ${formatValue(ratio)}`,
    );
  }
  const delay = limits.maxQueueDelayMs;
  if (typeof delay !== 'number' || !(delay >= 0 && delay <= MAX_TIMER_DELAY_MS)) {
    throw invalidOption(
      'maxQueueDelayMs',
      `maxQueueDelayMs must be a number of milliseconds from 0 to ${MAX_TIMER_DELAY_MS}, got ${formatValue(delay)}`,
    );
  }
  return Object.freeze(limits);
}

function requireInteger(limits: SchedulerLimits, key: keyof SchedulerLimits, min: number): void {
  const value: unknown = limits[key];
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw invalidOption(
      key,
      `${key} must be an integer of at least ${min}, got ${formatValue(value)}`,
    );
  }
}

function invalidOption(param: string, message: string): MaasError {
  return new MaasError('MAAS_ERR_CONFIG_INVALID', `invalid scheduler option: ${message}`, {
    param,
  });
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) {
    return String(value);
  }
  return `a value of type ${typeof value}`;
}
