import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';
import type { Registry, ResolvedVersion } from '../registry/index.js';
import { ONNX_MODEL_FILE, loadGraph, type RuntimeOptions } from '../runtimes/index.js';
import { TFJS_WEIGHTS_FILE } from '../runtimes/tfjs/artifacts.js';
import {
  TOKENIZER_FILE,
  TextClassificationPipeline,
  readTokenizer,
} from '../tasks/text-classification.js';
import type { Encoding } from '../text/index.js';
import { BatchScheduler, type BatchReport, type SchedulerLimits } from './scheduler/index.js';

/** A version loaded into memory with the pipeline of its task and its scheduler. */
export interface LoadedModel {
  readonly name: string;
  readonly version: number;
  readonly task: string;
  /** `name@version`. */
  readonly reference: string;
  readonly pipeline: TextClassificationPipeline;
  /** Queue and dynamic batcher in front of the pipeline's graph. */
  readonly scheduler: BatchScheduler<Encoding, Float32Array>;
  /** Size of the version's files, the pool's estimate of its memory. */
  readonly sizeBytes: number;
}

export interface ModelPoolOptions {
  runtime?: RuntimeOptions;
  scheduler?: Partial<SchedulerLimits>;
  /** Bytes of model files kept loaded; beyond it the least recently used are unloaded. */
  memoryBudgetBytes?: number;
  /** Called after each batch of any loaded model. */
  onBatch?: (reference: string, report: BatchReport) => void;
}

interface PoolEntry {
  loading: Promise<LoadedModel>;
  loaded: LoadedModel | undefined;
  lastUsed: number;
}

/**
 * Loads versions on first use, keyed by `name@version`, and keeps them within a memory
 * budget by unloading the least recently used. Concurrent requests for a version that is
 * still loading share one load. Unloading removes a version at once, so the next request
 * loads it again, and frees it once its running batches finish.
 */
export class ModelPool {
  readonly #registry: Registry;
  readonly #logger: Logger | undefined;
  readonly #options: ModelPoolOptions;
  readonly #entries = new Map<string, PoolEntry>();
  #clock = 0;

  constructor(registry: Registry, logger?: Logger, options: ModelPoolOptions = {}) {
    this.#registry = registry;
    this.#logger = logger;
    this.#options = options;
  }

  /** Resolves a model reference and returns its loaded version. */
  async get(reference: string): Promise<LoadedModel> {
    return this.load(await this.#registry.resolve(reference));
  }

  load(version: ResolvedVersion): Promise<LoadedModel> {
    const key = `${version.name}@${version.version}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const created: PoolEntry = {
        loading: this.#load(version).then((model) => {
          created.loaded = model;
          this.#evictOverBudget(key);
          return model;
        }),
        loaded: undefined,
        lastUsed: 0,
      };
      entry = created;
      this.#entries.set(key, created);
      // A failed load is forgotten so the next request retries it.
      created.loading.catch(() => {
        if (this.#entries.get(key) === created) this.#entries.delete(key);
      });
    }
    entry.lastUsed = ++this.#clock;
    return entry.loading;
  }

  /**
   * Unloads `name@version`: later requests load it again, queued inputs get 503 and running
   * batches finish first. Returns whether it was loaded or loading.
   */
  async unload(key: string): Promise<boolean> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    try {
      await this.#dispose(await entry.loading);
    } catch {
      // A failed load has nothing to free; the pool logged the cause.
    }
    return true;
  }

  /** References (`name@version`) of the versions that finished loading. */
  async loadedVersions(): Promise<string[]> {
    return [...this.#entries.entries()]
      .filter(([, entry]) => entry.loaded !== undefined)
      .map(([key]) => key);
  }

  /** Number of versions loaded in memory. */
  loadedCount(): number {
    return [...this.#entries.values()].filter((entry) => entry.loaded !== undefined).length;
  }

  /** Queue depth of each loaded version. */
  queues(): { model: string; queueDepth: number }[] {
    return this.#loadedModels().map((model) => ({
      model: model.reference,
      queueDepth: model.scheduler.stats().queueDepth,
    }));
  }

  /** Loaded versions whose scheduler has queued work but finished no batch within `staleMs`. */
  stalled(now: number, staleMs: number): string[] {
    return this.#loadedModels()
      .filter((model) => !model.scheduler.isHealthy(now, staleMs))
      .map((model) => model.reference);
  }

  async close(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    const settled = await Promise.allSettled(entries.map((entry) => entry.loading));
    for (const result of settled) {
      if (result.status === 'fulfilled') await this.#dispose(result.value);
    }
  }

  #loadedModels(): LoadedModel[] {
    return [...this.#entries.values()].flatMap((entry) =>
      entry.loaded === undefined ? [] : [entry.loaded],
    );
  }

  /** Unloads least recently used versions, never `keep`, until the rest fit the budget. */
  #evictOverBudget(keep: string): void {
    const budget = this.#options.memoryBudgetBytes;
    if (budget === undefined) return;
    const loaded = [...this.#entries.entries()].filter(([, entry]) => entry.loaded !== undefined);
    let total = loaded.reduce((sum, [, entry]) => sum + (entry.loaded?.sizeBytes ?? 0), 0);
    loaded.sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of loaded) {
      if (total <= budget) break;
      if (key === keep) continue;
      total -= entry.loaded?.sizeBytes ?? 0;
      this.#logger?.info({ model: key, budgetBytes: budget }, 'model unloaded to fit the budget');
      void this.unload(key);
    }
  }

  async #dispose(model: LoadedModel): Promise<void> {
    await model.scheduler.close();
    model.pipeline.dispose();
  }

  async #load(version: ResolvedVersion): Promise<LoadedModel> {
    const started = Date.now();
    const reference = `${version.name}@${version.version}`;
    if (version.task !== 'text-classification') {
      throw new MaasError(
        'MAAS_ERR_TASK_UNSUPPORTED',
        `model ${reference} has task ${version.task}; this server serves text-classification only`,
      );
    }
    try {
      const labels = version.modelCard['labels'];
      if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) {
        throw new MaasError(
          'MAAS_ERR_ARTIFACT_INVALID',
          `model card has no "labels" list of strings`,
        );
      }
      const [tokenizer, graph] = await Promise.all([
        readTokenizer(version.dir),
        loadGraph(version.runtime, version.dir, this.#options.runtime),
      ]);
      const pipeline = new TextClassificationPipeline(tokenizer, graph, labels as string[]);
      const onBatch = this.#options.onBatch;
      const scheduler = new BatchScheduler<Encoding, Float32Array>({
        ...this.#options.scheduler,
        name: reference,
        runBatch: (encodings) => pipeline.score(encodings),
        lengthOf: (encoding) => encoding.length,
        ...(onBatch === undefined ? {} : { onBatch: (report) => onBatch(reference, report) }),
        ...(this.#logger === undefined ? {} : { logger: this.#logger }),
      });
      this.#logger?.info(
        {
          model: version.name,
          version: version.version,
          runtime: version.runtime,
          loadMs: Date.now() - started,
        },
        'model loaded',
      );
      return {
        name: version.name,
        version: version.version,
        task: version.task,
        reference,
        pipeline,
        scheduler,
        sizeBytes: await modelFileBytes(version),
      };
    } catch (error) {
      this.#logger?.error(
        { model: version.name, version: version.version, err: error },
        'model load failed',
      );
      // The cause names server paths, so clients get only the reference; the log has the rest.
      throw new MaasError(
        'MAAS_ERR_MODEL_LOAD_FAILED',
        `cannot load ${reference}: its files are missing or invalid; the server log has the details`,
        { cause: error },
      );
    }
  }
}

/** Bytes of the files a runtime reads into memory: the graph's weights and the tokenizer. */
async function modelFileBytes(version: ResolvedVersion): Promise<number> {
  const weights = version.runtime === 'onnx' ? ONNX_MODEL_FILE : TFJS_WEIGHTS_FILE;
  const sizes = await Promise.all(
    [weights, TOKENIZER_FILE].map(async (file) => (await stat(join(version.dir, file))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
