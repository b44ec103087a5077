import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { SETTINGS, type SettingName } from '../config/index.js';
import { MaasError } from '../errors/index.js';
import type { ResolvedVersion } from '../registry/index.js';
import { GGUF_MODEL_FILE, type LlamaModelOptions } from '../runtimes/llama/index.js';
import { llamaOptionsOf } from './import-gguf.js';
import { loadLlamaServing } from './llama-serving.js';
import type { LlamaEmbeddingModel, LlamaGenerationModel } from './loaded-model.js';
import type { BatchReport, SchedulerLimits } from './scheduler/index.js';

function settingDefault(name: SettingName): number {
  return SETTINGS.find((setting) => setting.name === name)?.default as number;
}

/** Defaults of {@link LlamaModelOptions}: those of the `llama.*` settings. */
export const DEFAULT_LLAMA_OPTIONS: Readonly<LlamaModelOptions> = Object.freeze({
  contextSize: settingDefault('llama.context_size'),
  parallelSequences: settingDefault('llama.parallel_sequences'),
  threads: settingDefault('llama.threads'),
});

export interface LoadLlamaModelOptions {
  defaults?: LlamaModelOptions;
  limits?: Partial<SchedulerLimits>;
  onBatch?: (report: BatchReport) => void;
  logger?: Logger;
}

/**
 * Loads the GGUF file of a version for the model pool.
 *
 * @throws MaasError `MAAS_ERR_MODEL_LOAD_FAILED`, with the cause in the log only, because it
 * names server paths.
 */
export async function loadLlamaModel(
  version: ResolvedVersion,
  options: LoadLlamaModelOptions,
): Promise<LlamaGenerationModel | LlamaEmbeddingModel> {
  const started = Date.now();
  const reference = `${version.name}@${version.version}`;
  const path = join(version.dir, GGUF_MODEL_FILE);
  const modelOptions = llamaOptionsOf(version.modelCard, options.defaults ?? DEFAULT_LLAMA_OPTIONS);
  try {
    const loaded = await loadLlamaServing(path, version.task, reference, modelOptions, {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.onBatch === undefined ? {} : { onBatch: options.onBatch }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    options.logger?.info(
      {
        model: version.name,
        version: version.version,
        runtime: 'llama',
        ...modelOptions,
        loadMs: Date.now() - started,
      },
      'model loaded',
    );
    const base = {
      name: version.name,
      version: version.version,
      task: version.task,
      reference,
      sizeBytes: (await stat(path)).size,
    };
    return loaded.task === 'text-generation'
      ? { ...base, kind: 'llama-generation', serving: loaded.serving }
      : { ...base, kind: 'llama-embedding', serving: loaded.serving };
  } catch (error) {
    options.logger?.error({ model: reference, err: error }, 'model load failed');
    if (error instanceof MaasError && error.code === 'MAAS_ERR_TASK_UNSUPPORTED') throw error;
    throw new MaasError(
      'MAAS_ERR_MODEL_LOAD_FAILED',
      `cannot load ${reference}: its GGUF file is missing or invalid; the server log has the details`,
      { cause: error },
    );
  }
}
