import { resolve } from 'node:path';
import {
  AutoModel,
  AutoModelForMaskedLM,
  AutoModelForSequenceClassification,
  AutoModelForTokenClassification,
  AutoTokenizer,
  env,
  type PreTrainedModel,
} from '@huggingface/transformers';
import { MaasError } from '../../errors/index.js';
import { createFeatureExtraction } from './feature-extraction.js';
import { createFillMask } from './fill-mask.js';
import { labelsOf, readModelFolder, type ModelFolder } from './model-folder.js';
import { ModelRunner } from './model-runner.js';
import { resolveTask } from './task-inference.js';
import { createTextClassification } from './text-classification.js';
import { createTokenClassification } from './token-classification.js';
import type { AnyHuggingFaceTaskModel, HfTask, HuggingFaceTaskModel } from './types.js';
import { createZeroShotClassification } from './zero-shot-classification.js';

export interface LoadHuggingFaceTaskOptions<T extends string = string> {
  /** Task to serve; inferred from `config.json` `architectures` when omitted. */
  task?: T;
}

const MODEL_CLASSES = {
  'text-classification': AutoModelForSequenceClassification,
  'zero-shot-classification': AutoModelForSequenceClassification,
  'token-classification': AutoModelForTokenClassification,
  'fill-mask': AutoModelForMaskedLM,
  'feature-extraction': AutoModel,
} as const satisfies Record<HfTask, unknown>;

async function loadRunner(dir: string, task: HfTask): Promise<ModelRunner> {
  // Only local folders: transformers.js must never reach for the Hugging Face Hub here.
  env.allowRemoteModels = false;
  const options = { local_files_only: true } as const;
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(dir, options);
    const model = (await MODEL_CLASSES[task].from_pretrained(dir, {
      ...options,
      dtype: 'fp32',
    })) as PreTrainedModel;
    return new ModelRunner(tokenizer, model);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_MODEL_LOAD_FAILED',
      `transformers.js could not load ${dir} for ${task}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function requireLabels(folder: ModelFolder, task: HfTask): string[] {
  const labels = labelsOf(folder.config);
  if (labels.length === 0) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${folder.dir}/config.json has no id2label, which ${task} needs: add the label of each output id`,
    );
  }
  return labels;
}

function createTask(
  folder: ModelFolder,
  task: HfTask,
  runner: ModelRunner,
): AnyHuggingFaceTaskModel {
  switch (task) {
    case 'text-classification':
      return createTextClassification(runner, folder.config, requireLabels(folder, task));
    case 'token-classification':
      return createTokenClassification(runner, folder.tokenizer, requireLabels(folder, task));
    case 'feature-extraction':
      return createFeatureExtraction(runner);
    case 'fill-mask':
      return createFillMask(runner);
    case 'zero-shot-classification':
      return createZeroShotClassification(
        runner,
        folder.config,
        requireLabels(folder, task).length,
      );
  }
}

/**
 * Loads a Hugging Face model folder (`config.json`, `tokenizer.json`, `onnx/model.onnx`)
 * through transformers.js for one task, from local files only.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` for a missing or invalid file,
 *   `MAAS_ERR_TASK_UNSUPPORTED` for a task the folder cannot serve, and
 *   `MAAS_ERR_MODEL_LOAD_FAILED` if transformers.js fails to load it.
 */
export async function loadHuggingFaceTask<T extends HfTask>(
  dir: string,
  options: LoadHuggingFaceTaskOptions<T> & { task: T },
): Promise<HuggingFaceTaskModel<T>>;
export async function loadHuggingFaceTask(
  dir: string,
  options?: LoadHuggingFaceTaskOptions,
): Promise<AnyHuggingFaceTaskModel>;
export async function loadHuggingFaceTask(
  dir: string,
  options: LoadHuggingFaceTaskOptions = {},
): Promise<AnyHuggingFaceTaskModel> {
  // transformers.js reads a relative path as a path under env.localModelPath.
  const absolute = resolve(dir);
  const folder = await readModelFolder(absolute);
  const task = resolveTask(folder.config, options.task, absolute);
  const runner = await loadRunner(absolute, task);
  try {
    return createTask(folder, task, runner);
  } catch (error) {
    await runner.dispose();
    throw error;
  }
}
