import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Settings } from '../config/index.js';
import { MODEL_CARD_FILE, Registry } from '../registry/index.js';
import type { GraphOptimizationLevel } from '../runtimes/index.js';
import { ServingMetrics } from '../serving/metrics.js';
import { ModelPool } from '../serving/model-pool.js';
import { DatasetStore } from '../training/dataset-store/index.js';
import { JobStore } from '../training/jobs/job-store.js';
import { createTenancy, type Tenancy } from '../tenancy/index.js';
import {
  FileArtifactStore,
  closeDatabase,
  migrateToLatest,
  openDatabase,
} from '../storage/index.js';

/** The models/ folder shipped with the package, beside src/ and dist/. */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** The stores and services one process shares. */
export interface AppContext {
  readonly settings: Settings;
  readonly dataDir: string;
  readonly registry: Registry;
  readonly datasets: DatasetStore;
  readonly jobs: JobStore;
  readonly pool: ModelPool;
  readonly metrics: ServingMetrics;
  /** API keys, limits, usage metering and the audit log. */
  readonly tenancy: Tenancy;
  /** Model references registered from the bundled models folder at start. */
  readonly bundled: string[];
  close(): Promise<void>;
}

/**
 * Opens the metadata database and artifact store under `data_dir`, runs migrations and crash
 * recovery, and, unless switched off, registers the bundled models.
 */
export async function openContext(settings: Settings, logger: Logger): Promise<AppContext> {
  const dataDir = resolve(settings.data_dir);
  const db = openDatabase(join(dataDir, 'maas.db'));
  await migrateToLatest(db);
  const tenancy = createTenancy(db, settings, logger);
  const artifacts = new FileArtifactStore(join(dataDir, 'artifacts'));
  const registry = new Registry(db, artifacts, { logger });
  await registry.recover();
  const datasets = new DatasetStore(db, artifacts, logger);
  await datasets.recover();

  const bundled: string[] = [];
  if (settings['serving.register_bundled']) {
    const modelsDir =
      settings.models_dir === '' ? BUNDLED_MODELS_DIR : resolve(settings.models_dir);
    for (const folder of listModelFolders(modelsDir)) {
      const version = await registry.importVersionFromFolder(folder);
      bundled.push(`${version.name}@${version.version}`);
      if (version.created) {
        logger.info(
          { model: version.name, version: version.version, folder },
          'bundled model registered',
        );
        const production = (await registry.resolve(version.name)).version;
        if (production !== version.version) {
          // The alias may have been moved on purpose, so it stays, but a bare name keeps the old files.
          logger.warn(
            { model: version.name, version: version.version, production },
            `the bundled files of ${version.name} changed and became version ${version.version}, but production still points to version ${production}; run maas models alias ${version.name} production ${version.version} to serve them`,
          );
        }
      }
    }
  }
  const deadline = settings['serving.request_deadline_ms'];
  if (deadline !== 0 && settings['serving.max_queue_delay_ms'] >= deadline) {
    logger.warn(
      { delayMs: settings['serving.max_queue_delay_ms'], deadlineMs: deadline },
      'serving.max_queue_delay_ms is not below serving.request_deadline_ms, so a request that waits alone for a batch gets 504; lower the delay or raise the deadline',
    );
  }
  const pool = new ModelPool(registry, logger, {
    runtime: {
      onnx: {
        intraOpThreads: settings['onnx.intra_op_threads'],
        // The settings loader has checked the value against the choices.
        graphOptimizationLevel: settings['onnx.graph_optimization_level'] as GraphOptimizationLevel,
      },
    },
    scheduler: {
      maxBatchSize: settings['serving.max_batch_size'],
      maxBatchTokens: settings['serving.max_batch_tokens'],
      maxQueueDelayMs: settings['serving.max_queue_delay_ms'],
      maxQueueLength: settings['serving.max_queue_length'],
      maxConcurrentBatches: settings['serving.max_concurrent_batches'],
      maxPaddingRatio: 1 + settings['serving.max_padding_percent'] / 100,
    },
    memoryBudgetBytes: settings['serving.memory_budget_mb'] * 2 ** 20,
    maxCandidateLabels: settings['limits.max_candidate_labels'],
    referenceCacheMs: settings['serving.reference_cache_ms'],
    llama: {
      contextSize: settings['llama.context_size'],
      parallelSequences: settings['llama.parallel_sequences'],
      threads: settings['llama.threads'],
    },
    onBatch: (reference, report) => metrics.observeBatch(reference, report),
  });

  const metrics = new ServingMetrics({
    queues: () => pool.queues(),
    loadedModels: () => pool.loadedCount(),
  });

  return {
    settings,
    dataDir,
    registry,
    datasets,
    jobs: new JobStore(db),
    pool,
    metrics,
    tenancy,
    bundled,
    async close() {
      await pool.close();
      await tenancy.close();
      await closeDatabase(db);
    },
  };
}

function listModelFolders(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) {
    return [];
  }
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(modelsDir, entry.name, MODEL_CARD_FILE)),
    )
    .map((entry) => join(modelsDir, entry.name))
    .sort();
}
