import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';
import type { Registry, ResolvedVersion } from '../registry/index.js';
import { loadGraph, type RuntimeOptions } from '../runtimes/index.js';
import { TextClassificationPipeline, readTokenizer } from '../tasks/text-classification.js';

/** A version loaded into memory with the pipeline of its task. */
export interface LoadedModel {
  readonly name: string;
  readonly version: number;
  readonly task: string;
  readonly pipeline: TextClassificationPipeline;
}

/**
 * Loads versions on first use and keeps them loaded, keyed by `name@version`. Concurrent
 * requests for a version that is still loading share one load.
 */
export class ModelPool {
  readonly #registry: Registry;
  readonly #logger: Logger | undefined;
  readonly #runtimeOptions: RuntimeOptions;
  readonly #loaded = new Map<string, Promise<LoadedModel>>();
  /** The versions of {@link ModelPool.#loaded} that finished loading. */
  readonly #ready = new Map<string, LoadedModel>();

  constructor(registry: Registry, logger?: Logger, runtimeOptions: RuntimeOptions = {}) {
    this.#registry = registry;
    this.#logger = logger;
    this.#runtimeOptions = runtimeOptions;
  }

  /** Resolves a model reference and returns its loaded version. */
  async get(reference: string): Promise<LoadedModel> {
    return this.load(await this.#registry.resolve(reference));
  }

  load(version: ResolvedVersion): Promise<LoadedModel> {
    const key = `${version.name}@${version.version}`;
    let loading = this.#loaded.get(key);
    if (loading === undefined) {
      loading = this.#load(version).then((model) => {
        this.#ready.set(key, model);
        return model;
      });
      this.#loaded.set(key, loading);
      // A failed load is forgotten so the next request retries it.
      loading.catch(() => this.#loaded.delete(key));
    }
    return loading;
  }

  /** References (`name@version`) of the versions that finished loading. */
  async loadedVersions(): Promise<string[]> {
    const settled = await Promise.allSettled(this.#loaded.values());
    return settled.flatMap((result) =>
      result.status === 'fulfilled' ? [`${result.value.name}@${result.value.version}`] : [],
    );
  }

  /** Number of versions loaded in memory. */
  loadedCount(): number {
    return this.#ready.size;
  }

  /** Queue depth of each loaded version. */
  queues(): { model: string; queueDepth: number }[] {
    return [...this.#ready.keys()].map((model) => ({ model, queueDepth: 0 }));
  }

  async close(): Promise<void> {
    const settled = await Promise.allSettled(this.#loaded.values());
    this.#loaded.clear();
    this.#ready.clear();
    for (const result of settled) {
      if (result.status === 'fulfilled') result.value.pipeline.dispose();
    }
  }

  async #load(version: ResolvedVersion): Promise<LoadedModel> {
    const started = Date.now();
    if (version.task !== 'text-classification') {
      throw new MaasError(
        'MAAS_ERR_TASK_UNSUPPORTED',
        `model ${version.name}@${version.version} has task ${version.task}; this server serves text-classification only`,
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
        loadGraph(version.runtime, version.dir, this.#runtimeOptions),
      ]);
      const pipeline = new TextClassificationPipeline(tokenizer, graph, labels as string[]);
      this.#logger?.info(
        {
          model: version.name,
          version: version.version,
          runtime: version.runtime,
          loadMs: Date.now() - started,
        },
        'model loaded',
      );
      return { name: version.name, version: version.version, task: version.task, pipeline };
    } catch (error) {
      this.#logger?.error(
        { model: version.name, version: version.version, err: error },
        'model load failed',
      );
      // The cause names server paths, so clients get only the reference; the log has the rest.
      throw new MaasError(
        'MAAS_ERR_MODEL_LOAD_FAILED',
        `cannot load ${version.name}@${version.version}: its files are missing or invalid; the server log has the details`,
        { cause: error },
      );
    }
  }
}
