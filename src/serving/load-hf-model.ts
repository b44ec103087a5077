import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';
import type { ResolvedVersion } from '../registry/index.js';
import {
  loadHuggingFaceTask,
  type HfTask,
  type LoadHuggingFaceTaskOptions,
} from '../tasks/hf/index.js';
import { HuggingFaceServing } from './hf-serving.js';
import { HUGGING_FACE_FORMAT } from './import-hf-folder.js';
import type { HuggingFaceModel } from './loaded-model.js';
import { folderBytes } from './model-files.js';
import type { BatchReport, SchedulerLimits } from './scheduler/index.js';

export interface HuggingFaceLoadOptions {
  scheduler?: Partial<SchedulerLimits>;
  onBatch?: (reference: string, report: BatchReport) => void;
  /** Maximum zero-shot candidate labels per request. */
  maxCandidateLabels?: number;
  logger?: Logger;
}

/**
 * Loads an imported Hugging Face model folder for the model pool.
 *
 * @throws MaasError `MAAS_ERR_MODEL_LOAD_FAILED`, with the cause in the log only.
 */
export async function loadHuggingFaceModel(
  version: ResolvedVersion,
  options: HuggingFaceLoadOptions,
): Promise<HuggingFaceModel> {
  const started = Date.now();
  const reference = `${version.name}@${version.version}`;
  try {
    // The import checked the task against the folder.
    const taskOptions: LoadHuggingFaceTaskOptions = { task: version.task as HfTask };
    const model = await loadHuggingFaceTask(version.dir, taskOptions);
    const onBatch = options.onBatch;
    const serving = new HuggingFaceServing(model, reference, {
      ...(options.maxCandidateLabels === undefined
        ? {}
        : { maxCandidateLabels: options.maxCandidateLabels }),
      ...(options.scheduler === undefined ? {} : { limits: options.scheduler }),
      ...(onBatch === undefined ? {} : { onBatch: (report) => onBatch(reference, report) }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    options.logger?.info(
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
    options.logger?.error({ model: reference, err: error }, 'model load failed');
    throw new MaasError(
      'MAAS_ERR_MODEL_LOAD_FAILED',
      `cannot load ${reference}: its files are missing or invalid; the server log has the details`,
      { cause: error },
    );
  }
}
