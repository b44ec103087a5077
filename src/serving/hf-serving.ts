import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';
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
 * The output of an input that failed on its own, such as a fill-mask text without a mask. It
 * travels through the scheduler as a value, so only the request that sent it fails.
 */
class InputFailure {
  constructor(readonly error: unknown) {}
}

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
  readonly #maxCandidateLabels: number;
  readonly #schedulers = new Map<string, BatchScheduler<string, unknown>>();
  #closed = false;

  constructor(
    model: AnyHuggingFaceTaskModel,
    reference: string,
    options: {
      limits?: Partial<SchedulerLimits>;
      onBatch?: (report: BatchReport) => void;
      logger?: Logger;
      /** Most zero-shot candidate labels per request. */
      maxCandidateLabels?: number;
    } = {},
  ) {
    this.model = model;
    this.#reference = reference;
    this.#limits = options.limits ?? {};
    this.#maxCandidateLabels = options.maxCandidateLabels ?? Number.POSITIVE_INFINITY;
    this.#onBatch = options.onBatch;
    this.#logger = options.logger;
  }

  /**
   * Queues `inputs` with `parameters` and returns one task output per input, in order. An
   * input that fails alone (a bad input, not a bad batch) rejects only its own request, with
   * `inputs[i]` counted within that request.
   */
  async submit(
    inputs: readonly string[],
    parameters: Record<string, unknown>,
    options: SubmitOptions = {},
  ): Promise<unknown[]> {
    this.#checkCandidateLabels(parameters);
    const outputs = await this.#schedulerFor(parameters).submit(inputs, options);
    const failed = outputs.findIndex((output) => output instanceof InputFailure);
    if (failed !== -1) {
      throw renumber((outputs[failed] as InputFailure).error, failed, inputs.length);
    }
    return outputs;
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
    // A zero-shot input runs once per candidate label, so it costs that many rows.
    const labels = candidateLabelCount(parameters);
    scheduler = new BatchScheduler<string, unknown>({
      ...this.#limits,
      name: this.#reference,
      runBatch: (texts) => runIsolated(model, texts, parameters),
      lengthOf: (text) => (model.countTokens([text])[0] ?? 1) * labels,
      ...(this.#onBatch === undefined ? {} : { onBatch: this.#onBatch }),
      ...(this.#logger === undefined ? {} : { logger: this.#logger }),
    });
    if (this.#closed) void scheduler.close();
    this.#schedulers.set(key, scheduler);
    this.#closeIdleBeyondLimit(key);
    return scheduler;
  }

  /** Closes the least recently used idle schedulers, never `keep`, beyond the limit. */
  #closeIdleBeyondLimit(keep: string): void {
    for (const [key, scheduler] of this.#schedulers) {
      if (this.#schedulers.size <= MAX_PARAMETER_SETS) return;
      if (key === keep) continue;
      const { queueDepth, runningBatches } = scheduler.stats();
      if (queueDepth === 0 && runningBatches === 0) {
        this.#schedulers.delete(key);
        void scheduler.close();
      }
    }
  }

  #checkCandidateLabels(parameters: Record<string, unknown>): void {
    const labels = parameters['candidate_labels'];
    if (Array.isArray(labels) && labels.length > this.#maxCandidateLabels) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `parameters.candidate_labels has ${labels.length} labels; at most ${this.#maxCandidateLabels} are allowed (limits.max_candidate_labels), because each label runs the model once per input`,
        { param: 'parameters.candidate_labels' },
      );
    }
  }
}

/**
 * Runs a batch. If it fails with a client error (status 4xx), runs each input alone, so
 * that one bad input fails only its own request. The output of that input is then an
 * {@link InputFailure}.
 */
async function runIsolated(
  model: AnyHuggingFaceTaskModel,
  texts: string[],
  parameters: Record<string, unknown>,
): Promise<unknown[]> {
  try {
    return (await model.predict(texts, parameters as never)) as unknown[];
  } catch (error) {
    if (!isClientError(error)) throw error;
    if (texts.length === 1) return [new InputFailure(error)];
  }
  const outputs: unknown[] = [];
  for (const text of texts) {
    try {
      outputs.push(((await model.predict([text], parameters as never)) as unknown[])[0]);
    } catch (error) {
      if (!isClientError(error)) throw error;
      outputs.push(new InputFailure(error));
    }
  }
  return outputs;
}

function isClientError(error: unknown): error is MaasError {
  return error instanceof MaasError && error.status < 500;
}

/** Rewrites `inputs[0]` of an error from a single-input run to the input's index in its request. */
function renumber(error: unknown, index: number, count: number): unknown {
  if (!(error instanceof MaasError)) return error;
  const name = count === 1 ? 'inputs' : `inputs[${index}]`;
  const rename = (text: string): string => text.replace(/\binputs\[0\]/g, name);
  return new MaasError(error.code, rename(error.message), {
    ...(error.param === undefined ? {} : { param: rename(error.param) }),
    ...(error.details === undefined ? {} : { details: error.details }),
    cause: error,
  });
}

function candidateLabelCount(parameters: Record<string, unknown>): number {
  const labels = parameters['candidate_labels'];
  if (Array.isArray(labels)) return Math.max(1, labels.length);
  if (typeof labels === 'string') return Math.max(1, labels.split(',').length);
  return 1;
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
