import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';
import type { Registry, ResolvedVersion } from '../registry/index.js';
import type { RuntimeOptions } from '../runtimes/index.js';
import type { LlamaModelOptions } from '../runtimes/llama/index.js';
import { GGUF_FORMAT } from './import-gguf.js';
import { HUGGING_FACE_FORMAT } from './import-hf-folder.js';
import { loadHuggingFaceModel } from './load-hf-model.js';
import { loadInHouseModel } from './load-in-house.js';
import { loadLlamaModel } from './load-llama-model.js';
import {
  DESCRIPTIONS,
  isHealthy,
  isInHouse,
  statsOf,
  type InHouseModel,
  type LoadedModel,
} from './loaded-model.js';
import type { BatchReport, SchedulerLimits } from './scheduler/index.js';

export type {
  HuggingFaceModel,
  InHouseModel,
  InHouseSrlModel,
  InHouseTaggerModel,
  LlamaEmbeddingModel,
  LlamaGenerationModel,
  LoadedModel,
} from './loaded-model.js';
export { statsOf } from './loaded-model.js';

export interface ModelPoolOptions {
  runtime?: RuntimeOptions;
  scheduler?: Partial<SchedulerLimits>;
  /** Bytes of model files kept loaded; beyond it the least recently used are unloaded. */
  memoryBudgetBytes?: number;
  /** Called after each batch of any loaded model. */
  onBatch?: (reference: string, report: BatchReport) => void;
  /** Most zero-shot candidate labels per request. */
  maxCandidateLabels?: number;
  /**
   * Time in ms that the pool reuses the version a model reference resolved to, so a request
   * skips a metadata query. An alias moved by another process takes effect within this time.
   */
  referenceCacheMs?: number;
  /** Defaults of GGUF models, which their model cards may override. */
  llama?: LlamaModelOptions;
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
  readonly #resolved = new Map<string, { version: ResolvedVersion; expiresAt: number }>();
  /** `name@version` keys that are never unloaded. */
  readonly #pinned = new Set<string>();
  #clock = 0;

  constructor(registry: Registry, logger?: Logger, options: ModelPoolOptions = {}) {
    this.#registry = registry;
    this.#logger = logger;
    this.#options = options;
  }

  /** Resolves a model reference and returns its loaded version. */
  async get(reference: string): Promise<LoadedModel> {
    return this.load(await this.#resolve(reference));
  }

  async #resolve(reference: string): Promise<ResolvedVersion> {
    const ttl = this.#options.referenceCacheMs ?? 0;
    if (ttl === 0) return this.#registry.resolve(reference);
    const now = Date.now();
    const cached = this.#resolved.get(reference);
    if (cached !== undefined && cached.expiresAt > now) return cached.version;
    const version = await this.#registry.resolve(reference);
    // Bounded, because clients choose the references.
    if (this.#resolved.size >= 10_000) this.#resolved.clear();
    this.#resolved.set(reference, { version, expiresAt: now + ttl });
    return version;
  }

  /**
   * Resolves a reference to a model trained here, as the CLI's predict and eval read.
   *
   * @throws MaasError `MAAS_ERR_TASK_UNSUPPORTED` for a Hugging Face model folder.
   */
  async getInHouse(reference: string): Promise<InHouseModel> {
    const model = await this.get(reference);
    if (model.kind !== 'in-house') {
      throw new MaasError(
        'MAAS_ERR_TASK_UNSUPPORTED',
        `${model.reference} is a ${DESCRIPTIONS[model.kind]}; this command reads text classifiers trained here, so send it to the server's predict route instead`,
      );
    }
    return model;
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
   * Loads `reference` and keeps it loaded: the memory budget never unloads it, and
   * {@link unload} rejects it. Returns the loaded version.
   */
  async pin(reference: string): Promise<LoadedModel> {
    const version = await this.#resolve(reference);
    const key = `${version.name}@${version.version}`;
    // Pinned before the load starts, so an unload that races the load is rejected too.
    const newlyPinned = !this.#pinned.has(key);
    this.#pinned.add(key);
    try {
      return await this.load(version);
    } catch (error) {
      if (newlyPinned) this.#pinned.delete(key);
      throw error;
    }
  }

  /** Returns whether `name@version` is pinned. */
  isPinned(key: string): boolean {
    return this.#pinned.has(key);
  }

  /**
   * Unloads `name@version`: later requests load it again, queued inputs get 503 and running
   * batches finish first. Returns whether it was loaded or loading.
   */
  async unload(key: string): Promise<boolean> {
    if (this.#pinned.has(key)) {
      throw new MaasError(
        'MAAS_ERR_MODEL_PINNED',
        `${key} is pinned by serving.pinned_models, so it stays loaded; remove it from that setting and restart to unload it`,
      );
    }
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
      queueDepth: statsOf(model).queueDepth,
    }));
  }

  /** Loaded versions whose scheduler has queued work but finished no batch within `staleMs`. */
  stalled(now: number, staleMs: number): string[] {
    return this.#loadedModels()
      .filter((model) => !isHealthy(model, now, staleMs))
      .map((model) => model.reference);
  }

  async close(): Promise<void> {
    this.#pinned.clear();
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

  /**
   * Unloads least recently used versions, never `keep` or a pinned one, until the rest fit
   * the budget. Pinned versions count towards the budget.
   */
  #evictOverBudget(keep: string): void {
    const budget = this.#options.memoryBudgetBytes;
    if (budget === undefined) return;
    const loaded = [...this.#entries.entries()].filter(([, entry]) => entry.loaded !== undefined);
    let total = loaded.reduce((sum, [, entry]) => sum + (entry.loaded?.sizeBytes ?? 0), 0);
    loaded.sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of loaded) {
      if (total <= budget) break;
      if (key === keep || this.#pinned.has(key)) continue;
      total -= entry.loaded?.sizeBytes ?? 0;
      this.#logger?.info({ model: key, budgetBytes: budget }, 'model unloaded to fit the budget');
      void this.unload(key);
    }
  }

  async #dispose(model: LoadedModel): Promise<void> {
    if (isInHouse(model)) {
      await model.scheduler.close();
      model.pipeline.dispose();
      return;
    }
    await model.serving.close();
  }

  #load(version: ResolvedVersion): Promise<LoadedModel> {
    const reference = `${version.name}@${version.version}`;
    const { onBatch, scheduler, runtime, maxCandidateLabels, llama } = this.#options;
    const shared = {
      ...(scheduler === undefined ? {} : { scheduler }),
      ...(onBatch === undefined ? {} : { onBatch }),
      ...(this.#logger === undefined ? {} : { logger: this.#logger }),
    };
    if (version.modelCard['format'] === HUGGING_FACE_FORMAT) {
      return loadHuggingFaceModel(version, {
        ...shared,
        ...(maxCandidateLabels === undefined ? {} : { maxCandidateLabels }),
      });
    }
    if (version.modelCard['format'] === GGUF_FORMAT) {
      return loadLlamaModel(version, {
        ...(llama === undefined ? {} : { defaults: llama }),
        ...(scheduler === undefined ? {} : { limits: scheduler }),
        ...(onBatch === undefined ? {} : { onBatch: (report) => onBatch(reference, report) }),
        ...(this.#logger === undefined ? {} : { logger: this.#logger }),
      });
    }
    return loadInHouseModel(version, { ...shared, ...(runtime === undefined ? {} : { runtime }) });
  }
}
