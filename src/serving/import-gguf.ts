import { copyFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { MaasError } from '../errors/index.js';
import type { Registry, VersionRecord } from '../registry/index.js';
import { GGUF_MODEL_FILE, type LlamaModelOptions } from '../runtimes/llama/index.js';

/** Value of the model card's `format` field for a GGUF model. */
export const GGUF_FORMAT = 'gguf';

/** Tasks a GGUF model is served for. */
export const GGUF_TASKS = ['text-generation', 'feature-extraction'] as const;

export interface GgufImportOptions extends Partial<LlamaModelOptions> {
  name: string;
  /** @defaultValue `text-generation` */
  task?: string;
  description?: string;
  alias?: string;
}

/**
 * Registers a GGUF file as a new version for `text-generation` or `feature-extraction`. The
 * file's header is read first, so a file that is not GGUF is rejected before anything is
 * written. Context size, parallel sequences and threads given here go into the model card
 * and win over the `llama.*` settings when the version loads.
 *
 * @throws MaasError `MAAS_ERR_TASK_UNSUPPORTED` for another task and
 * `MAAS_ERR_ARTIFACT_INVALID` for a file that is not GGUF.
 */
export async function importGgufFile(
  registry: Registry,
  file: string,
  options: GgufImportOptions,
): Promise<VersionRecord> {
  const source = resolve(file);
  const task = options.task ?? 'text-generation';
  if (!(GGUF_TASKS as readonly string[]).includes(task)) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `task "${task}" is not served for GGUF files; use one of ${GGUF_TASKS.join(', ')}`,
      { param: 'task' },
    );
  }
  let architecture: string;
  try {
    const info = await readGgufFileInfo(source, {
      readTensorInfo: false,
      sourceType: 'filesystem',
    });
    architecture = String(info.metadata.general.architecture);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${source} is not a readable GGUF file: ${(error as Error).message}`,
      { param: 'file', cause: error },
    );
  }

  const llama: Record<string, number> = {};
  if (options.contextSize !== undefined) llama['context_size'] = options.contextSize;
  if (options.parallelSequences !== undefined) {
    llama['parallel_sequences'] = options.parallelSequences;
  }
  if (options.threads !== undefined) llama['threads'] = options.threads;
  return registry.createVersion({
    name: options.name,
    task,
    runtime: 'llama',
    ...(options.description === undefined ? {} : { description: options.description }),
    modelCard: {
      format: GGUF_FORMAT,
      architecture,
      source: { file: basename(source) },
      ...(Object.keys(llama).length === 0 ? {} : { llama }),
    },
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    writeFiles: (dir) => copyFile(source, join(dir, GGUF_MODEL_FILE)),
  });
}

/**
 * Returns the options a GGUF version loads with: the model card's `llama` fields over
 * `defaults`.
 */
export function llamaOptionsOf(
  modelCard: Record<string, unknown>,
  defaults: LlamaModelOptions,
): LlamaModelOptions {
  const card = (modelCard['llama'] ?? {}) as Record<string, unknown>;
  const read = (key: string, fallback: number): number => {
    const value = card[key];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? value
      : fallback;
  };
  return {
    contextSize: read('context_size', defaults.contextSize),
    parallelSequences: Math.max(1, read('parallel_sequences', defaults.parallelSequences)),
    threads: read('threads', defaults.threads),
  };
}
