import { readdir, stat } from 'node:fs/promises';
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
import { TAGGER_FILE, readTaggerFile } from '../tasks/tagger-file.js';
import { TokenClassificationPipeline } from '../tasks/token-classification.js';
import { SemanticRoleLabelingPipeline, type SrlEncoding } from '../tasks/semantic-role-labeling.js';
import { SEMANTIC_ROLE_LABELING_TASK, readSrlTaggerFile } from '../tasks/srl-tagger-file.js';
import {
  loadHuggingFaceTask,
  type HfTask,
  type LoadHuggingFaceTaskOptions,
} from '../tasks/hf/index.js';
import { HuggingFaceServing } from './hf-serving.js';
import { HUGGING_FACE_FORMAT } from './import-hf-folder.js';
import { GGUF_FORMAT } from './import-gguf.js';
import { loadLlamaModel } from './load-llama-model.js';
import type { EmbeddingServing, GenerationServing } from './llama-serving.js';
import type { LlamaModelOptions } from '../runtimes/llama/index.js';
import {
  BatchScheduler,
  type BatchReport,
  type SchedulerLimits,
  type SchedulerStats,
} from './scheduler/index.js';

interface LoadedModelBase {
  readonly name: string;
  readonly version: number;
  readonly task: string;
  /** `name@version`. */
  readonly reference: string;
  /** Size of the version's files, the pool's estimate of its memory. */
  readonly sizeBytes: number;
}

/** A model trained here, with its pipeline and the scheduler in front of its graph. */
export interface InHouseModel extends LoadedModelBase {
  readonly kind: 'in-house';
  readonly pipeline: TextClassificationPipeline;
  readonly scheduler: BatchScheduler<Encoding, Float32Array>;
}

/** A token classifier (tagger) trained here, with the scheduler in front of its graph. */
export interface InHouseTaggerModel extends LoadedModelBase {
  readonly kind: 'in-house-tagger';
  readonly pipeline: TokenClassificationPipeline;
  /** Queues windows of token ids; an input longer than the model's window has several. */
  readonly scheduler: BatchScheduler<Encoding, Float32Array>;
}

/** A semantic role tagger trained here, with the scheduler in front of its graph. */
export interface InHouseSrlModel extends LoadedModelBase {
  readonly kind: 'in-house-srl';
  readonly pipeline: SemanticRoleLabelingPipeline;
  /** Queues one window of word ids and predicate indicator per predicate. */
  readonly scheduler: BatchScheduler<SrlEncoding, Float32Array>;
}

/** A Hugging Face model folder, run through @huggingface/transformers. */
export interface HuggingFaceModel extends LoadedModelBase {
  readonly kind: 'huggingface';
  readonly serving: HuggingFaceServing;
}

/** A GGUF generative model, run through node-llama-cpp. */
export interface LlamaGenerationModel extends LoadedModelBase {
  readonly kind: 'llama-generation';
  readonly serving: GenerationServing;
}

/** A GGUF embedding model, run through node-llama-cpp. */
export interface LlamaEmbeddingModel extends LoadedModelBase {
  readonly kind: 'llama-embedding';
  readonly serving: EmbeddingServing;
}

/** Description of each kind of loaded model, for messages. */
const DESCRIPTIONS: Record<LoadedModel['kind'], string> = {
  'in-house': 'text classifier trained here',
  'in-house-tagger': 'token classifier trained here',
  'in-house-srl': 'semantic role tagger trained here',
  huggingface: 'Hugging Face model folder',
  'llama-generation': 'GGUF text-generation model',
  'llama-embedding': 'GGUF embedding model',
};

/** A version loaded into memory. */
export type LoadedModel =
  | InHouseModel
  | InHouseTaggerModel
  | InHouseSrlModel
  | HuggingFaceModel
  | LlamaGenerationModel
  | LlamaEmbeddingModel;

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

  async #loadHuggingFace(
    version: ResolvedVersion,
    reference: string,
    started: number,
  ): Promise<HuggingFaceModel> {
    try {
      // The import checked the task against the folder.
      const options: LoadHuggingFaceTaskOptions = { task: version.task as HfTask };
      const model = await loadHuggingFaceTask(version.dir, options);
      const onBatch = this.#options.onBatch;
      const serving = new HuggingFaceServing(model, reference, {
        ...(this.#options.maxCandidateLabels === undefined
          ? {}
          : { maxCandidateLabels: this.#options.maxCandidateLabels }),
        ...(this.#options.scheduler === undefined ? {} : { limits: this.#options.scheduler }),
        ...(onBatch === undefined ? {} : { onBatch: (report) => onBatch(reference, report) }),
        ...(this.#logger === undefined ? {} : { logger: this.#logger }),
      });
      this.#logger?.info(
        {
          model: version.name,
          version: version.version,
          format: HUGGING_FACE_FORMAT,
          loadMs: Date.now() - started,
        },
        'model loaded',
      );
      return {
        kind: 'huggingface',
        name: version.name,
        version: version.version,
        task: version.task,
        reference,
        serving,
        sizeBytes: await folderBytes(version.dir),
      };
    } catch (error) {
      this.#logger?.error({ model: reference, err: error }, 'model load failed');
      throw new MaasError(
        'MAAS_ERR_MODEL_LOAD_FAILED',
        `cannot load ${reference}: its files are missing or invalid; the server log has the details`,
        { cause: error },
      );
    }
  }

  /** Creates the scheduler of a model trained here, whose inputs are encodings of token ids. */
  #encodingScheduler<Input extends Encoding = Encoding>(
    reference: string,
    runBatch: (encodings: Input[]) => Promise<Float32Array[]>,
  ): BatchScheduler<Input, Float32Array> {
    const onBatch = this.#options.onBatch;
    return new BatchScheduler<Input, Float32Array>({
      ...this.#options.scheduler,
      name: reference,
      runBatch,
      lengthOf: (encoding) => encoding.length,
      ...(onBatch === undefined ? {} : { onBatch: (report) => onBatch(reference, report) }),
      ...(this.#logger === undefined ? {} : { logger: this.#logger }),
    });
  }

  #logLoaded(version: ResolvedVersion, started: number): void {
    this.#logger?.info(
      {
        model: version.name,
        version: version.version,
        runtime: version.runtime,
        loadMs: Date.now() - started,
      },
      'model loaded',
    );
  }

  async #loadTagger(
    version: ResolvedVersion,
    reference: string,
    started: number,
  ): Promise<InHouseTaggerModel> {
    try {
      const [file, graph] = await Promise.all([
        readTaggerFile(version.dir),
        loadGraph(version.runtime, version.dir, this.#options.runtime),
      ]);
      const pipeline = new TokenClassificationPipeline(file, graph);
      const scheduler = this.#encodingScheduler(reference, (windows) => pipeline.score(windows));
      this.#logLoaded(version, started);
      return {
        kind: 'in-house-tagger',
        name: version.name,
        version: version.version,
        task: version.task,
        reference,
        pipeline,
        scheduler,
        sizeBytes: await modelFileBytes(version, TAGGER_FILE),
      };
    } catch (error) {
      this.#logger?.error({ model: reference, err: error }, 'model load failed');
      throw new MaasError(
        'MAAS_ERR_MODEL_LOAD_FAILED',
        `cannot load ${reference}: its files are missing or invalid; the server log has the details`,
        { cause: error },
      );
    }
  }

  async #loadSrlTagger(
    version: ResolvedVersion,
    reference: string,
    started: number,
  ): Promise<InHouseSrlModel> {
    try {
      const [file, graph] = await Promise.all([
        readSrlTaggerFile(version.dir),
        loadGraph(version.runtime, version.dir, this.#options.runtime),
      ]);
      const pipeline = new SemanticRoleLabelingPipeline(file, graph);
      const scheduler = this.#encodingScheduler<SrlEncoding>(reference, (windows) =>
        pipeline.score(windows),
      );
      this.#logLoaded(version, started);
      return {
        kind: 'in-house-srl',
        name: version.name,
        version: version.version,
        task: version.task,
        reference,
        pipeline,
        scheduler,
        sizeBytes: await modelFileBytes(version, TAGGER_FILE),
      };
    } catch (error) {
      this.#logger?.error({ model: reference, err: error }, 'model load failed');
      throw new MaasError(
        'MAAS_ERR_MODEL_LOAD_FAILED',
        `cannot load ${reference}: its files are missing or invalid; the server log has the details`,
        { cause: error },
      );
    }
  }

  async #load(version: ResolvedVersion): Promise<LoadedModel> {
    const started = Date.now();
    const reference = `${version.name}@${version.version}`;
    if (version.modelCard['format'] === HUGGING_FACE_FORMAT) {
      return this.#loadHuggingFace(version, reference, started);
    }
    if (version.modelCard['format'] === GGUF_FORMAT) {
      const onBatch = this.#options.onBatch;
      return loadLlamaModel(version, {
        ...(this.#options.llama === undefined ? {} : { defaults: this.#options.llama }),
        ...(this.#options.scheduler === undefined ? {} : { limits: this.#options.scheduler }),
        ...(onBatch === undefined ? {} : { onBatch: (report) => onBatch(reference, report) }),
        ...(this.#logger === undefined ? {} : { logger: this.#logger }),
      });
    }
    if (version.task === 'token-classification') {
      return this.#loadTagger(version, reference, started);
    }
    if (version.task === SEMANTIC_ROLE_LABELING_TASK) {
      return this.#loadSrlTagger(version, reference, started);
    }
    if (version.task !== 'text-classification') {
      throw new MaasError(
        'MAAS_ERR_TASK_UNSUPPORTED',
        `model ${reference} has task ${version.task}; models trained here serve text-classification, token-classification and semantic-role-labeling only`,
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
      const scheduler = this.#encodingScheduler(reference, (encodings) =>
        pipeline.score(encodings),
      );
      this.#logLoaded(version, started);
      return {
        kind: 'in-house',
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

/** Returns the queue statistics of a loaded model of either kind. */
export function statsOf(model: LoadedModel): SchedulerStats {
  return isInHouse(model) ? model.scheduler.stats() : model.serving.stats();
}

/** Returns whether a model was trained here, so a scheduler of this package queues its inputs. */
function isInHouse(
  model: LoadedModel,
): model is InHouseModel | InHouseTaggerModel | InHouseSrlModel {
  return (
    model.kind === 'in-house' || model.kind === 'in-house-tagger' || model.kind === 'in-house-srl'
  );
}

function isHealthy(model: LoadedModel, now: number, staleMs: number): boolean {
  return isInHouse(model)
    ? model.scheduler.isHealthy(now, staleMs)
    : model.serving.isHealthy(now, staleMs);
}

/** Bytes of the files a runtime reads into memory: the graph's weights and the tokenizer. */
async function modelFileBytes(
  version: ResolvedVersion,
  tokenizerFile: string = TOKENIZER_FILE,
): Promise<number> {
  const weights = version.runtime === 'onnx' ? ONNX_MODEL_FILE : TFJS_WEIGHTS_FILE;
  const sizes = await Promise.all(
    [weights, tokenizerFile].map(async (file) => (await stat(join(version.dir, file))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** Bytes of every file under `dir`. */
async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
