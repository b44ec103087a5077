import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';
import {
  LlamaEmbedder,
  LlamaTextGenerator,
  type GenerationRequest,
  type GenerationResult,
  type LlamaModelOptions,
} from '../runtimes/llama/index.js';
import {
  BatchScheduler,
  type BatchReport,
  type SchedulerLimits,
  type SchedulerStats,
  type SubmitOptions,
} from './scheduler/index.js';

/** A generation queued in the scheduler; `onStart` runs when it gets a sequence. */
interface GenerationJob {
  request: GenerationRequest;
  onStart: (() => void) | undefined;
}

export interface LlamaServingOptions {
  /** Queue limits; the batch size is always 1 and the concurrency the sequence count. */
  limits?: Partial<SchedulerLimits>;
  onBatch?: (report: BatchReport) => void;
  logger?: Logger;
}

/**
 * Queues the generations of one GGUF model. Each generation is one scheduler batch of size
 * 1, and at most one per sequence runs at a time, so the queue, the 503 on a full queue and
 * the 504 deadline work as for encoder models. llama.cpp batches the running sequences.
 */
export class GenerationServing {
  readonly generator: LlamaTextGenerator;
  readonly #scheduler: BatchScheduler<GenerationJob, GenerationResult>;
  #closed = false;

  constructor(generator: LlamaTextGenerator, reference: string, options: LlamaServingOptions) {
    this.generator = generator;
    this.#scheduler = new BatchScheduler<GenerationJob, GenerationResult>({
      ...options.limits,
      maxBatchSize: 1,
      maxConcurrentBatches: generator.parallelSequences,
      maxPaddingRatio: Number.MAX_SAFE_INTEGER,
      maxQueueDelayMs: 0,
      name: reference,
      runBatch: async ([job]) => {
        if (job === undefined) return [];
        job.onStart?.();
        return [await generator.generate(job.request)];
      },
      lengthOf: (job) => job.request.promptTokens.length,
      ...(options.onBatch === undefined ? {} : { onBatch: options.onBatch }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /** Tokens of the context of each sequence. */
  get contextSize(): number {
    return this.generator.contextSize;
  }

  /**
   * Queues a generation and resolves with its result. `onStart` runs once the generation
   * leaves the queue, before its first token.
   *
   * @throws MaasError `MAAS_ERR_PROMPT_TOO_LONG` when the prompt leaves no room in the
   * context for one generated token, and the scheduler's queue errors.
   */
  async generate(
    request: GenerationRequest,
    options: SubmitOptions & { onStart?: () => void } = {},
  ): Promise<GenerationResult> {
    const promptLength = request.promptTokens.length;
    if (promptLength >= this.contextSize) {
      throw new MaasError(
        'MAAS_ERR_PROMPT_TOO_LONG',
        `the prompt has ${promptLength} tokens but the context of the model holds ${this.contextSize}, including at least 1 generated token; shorten the prompt to at most ${this.contextSize - 1} tokens`,
        { param: 'prompt', details: { promptTokens: promptLength, contextSize: this.contextSize } },
      );
    }
    // The context's end caps the generation, whatever max_tokens requests.
    const maxTokens = Math.min(request.maxTokens, this.contextSize - promptLength);
    const job: GenerationJob = { request: { ...request, maxTokens }, onStart: options.onStart };
    const [result] = await this.#scheduler.submit([job], options);
    return result as GenerationResult;
  }

  stats(): SchedulerStats {
    return this.#scheduler.stats();
  }

  /**
   * Reports whether the model makes progress: the scheduler finished a generation, or a running one
   * produced a token, within `staleMs`. A long generation with requests queued behind it
   * finishes no batch for a while but is not stalled.
   */
  isHealthy(now: number, staleMs: number): boolean {
    if (this.#closed) return false;
    return this.#scheduler.isHealthy(now, staleMs) || now - this.generator.lastTokenAt <= staleMs;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#scheduler.close();
    await this.generator.dispose();
  }
}

/** Batches the texts of a GGUF embedding model through one scheduler. */
export class EmbeddingServing {
  readonly embedder: LlamaEmbedder;
  readonly #scheduler: BatchScheduler<string, Float32Array>;

  constructor(embedder: LlamaEmbedder, reference: string, options: LlamaServingOptions) {
    this.embedder = embedder;
    this.#scheduler = new BatchScheduler<string, Float32Array>({
      ...options.limits,
      name: reference,
      runBatch: (texts) => embedder.embed(texts),
      lengthOf: (text) => text.length,
      ...(options.onBatch === undefined ? {} : { onBatch: options.onBatch }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Queues `texts` and returns one vector per text, in order.
   *
   * @throws MaasError `MAAS_ERR_PROMPT_TOO_LONG` naming the first text longer than the
   * context, and the scheduler's queue errors.
   */
  async embed(texts: readonly string[], options: SubmitOptions = {}): Promise<Float32Array[]> {
    texts.forEach((text, index) => {
      const tokens = this.embedder.tokenize(text).length;
      if (tokens > this.embedder.contextSize) {
        throw new MaasError(
          'MAAS_ERR_PROMPT_TOO_LONG',
          `input[${index}] has ${tokens} tokens but the context of the model holds ${this.embedder.contextSize}; shorten it`,
          {
            param: `input[${index}]`,
            details: { promptTokens: tokens, contextSize: this.embedder.contextSize },
          },
        );
      }
    });
    return this.#scheduler.submit(texts, options);
  }

  stats(): SchedulerStats {
    return this.#scheduler.stats();
  }

  isHealthy(now: number, staleMs: number): boolean {
    return this.#scheduler.isHealthy(now, staleMs);
  }

  async close(): Promise<void> {
    await this.#scheduler.close();
    await this.embedder.dispose();
  }
}

export type LlamaServing =
  | { task: 'text-generation'; serving: GenerationServing }
  | { task: 'feature-extraction'; serving: EmbeddingServing };

/** Loads a GGUF file for its task and puts a scheduler in front of it. */
export async function loadLlamaServing(
  path: string,
  task: string,
  reference: string,
  modelOptions: LlamaModelOptions,
  options: LlamaServingOptions,
): Promise<LlamaServing> {
  if (task === 'feature-extraction') {
    const embedder = await LlamaEmbedder.load(path, modelOptions, options.logger);
    return { task, serving: new EmbeddingServing(embedder, reference, options) };
  }
  if (task !== 'text-generation') {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `GGUF models serve text-generation and feature-extraction, not ${task}`,
    );
  }
  const generator = await LlamaTextGenerator.load(path, modelOptions, options.logger);
  return { task, serving: new GenerationServing(generator, reference, options) };
}
