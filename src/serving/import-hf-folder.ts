import { cp, readdir } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { Registry, VersionRecord } from '../registry/index.js';
import { isHfTask, loadHuggingFaceTask, type HfTask } from '../tasks/hf/index.js';
import { MaasError } from '../errors/index.js';

/** Value of the model card's `format` field for a Hugging Face model folder. */
export const HUGGING_FACE_FORMAT = 'huggingface';

export interface HuggingFaceImportOptions {
  name: string;
  /** Task to serve; inferred from `config.json` when absent. */
  task?: string;
  description?: string;
  alias?: string;
  /** Provenance recorded in the model card; by default the folder name and its files. */
  source?: Record<string, unknown>;
}

/**
 * Registers a Hugging Face model folder (`config.json`, `tokenizer.json`,
 * `onnx/model.onnx`) as a new version. The folder is loaded once first, so a folder that
 * cannot be served is rejected before anything is written.
 *
 * @throws MaasError `MAAS_ERR_TASK_UNSUPPORTED` for an unknown task, and the loader's errors
 * for an invalid folder.
 */
export async function importHuggingFaceFolder(
  registry: Registry,
  folder: string,
  options: HuggingFaceImportOptions,
): Promise<VersionRecord> {
  const source = resolve(folder);
  if (options.task !== undefined && !isHfTask(options.task)) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `task "${options.task}" is not served for Hugging Face folders; use one of text-classification, token-classification, feature-extraction, fill-mask, zero-shot-classification`,
      { param: 'task' },
    );
  }
  const model = await loadHuggingFaceTask(
    source,
    options.task === undefined ? {} : { task: options.task as HfTask },
  );
  const task = model.task;
  const labels = model.labels === undefined ? null : [...model.labels];
  await model.dispose();

  return registry.createVersion({
    name: options.name,
    task,
    runtime: 'onnx',
    ...(options.description === undefined ? {} : { description: options.description }),
    modelCard: {
      format: HUGGING_FACE_FORMAT,
      labels,
      source: {
        ...(options.source ?? { folder: basename(source) }),
        files: await listFiles(source),
      },
    },
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    writeFiles: (dir) =>
      cp(source, dir, { recursive: true, filter: (path) => basename(path) !== 'model-card.json' }),
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}
