import type { AppContext } from '../../app/context.js';
import type { VersionRecord } from '../../registry/index.js';
import type { JobEventMap } from './events.js';
import type { JobRecord } from './job-record.js';
import type { JobDatasets } from './job-trainer.js';

// Steps that the run of every trainer shares.

/** Reads the training dataset of a job and its validation dataset, if it has one. */
export async function readJobDatasets(context: AppContext, job: JobRecord): Promise<JobDatasets> {
  const training = await context.datasets.get(job.datasetId);
  const validation =
    job.validationDatasetId === null
      ? undefined
      : await context.datasets.get(job.validationDatasetId);
  return { training, validation };
}

/** Builds the `report` event of a finished job from its version and training result. */
export function jobReport(
  version: VersionRecord,
  result: { bestEpoch: number; durationMs: number },
  validation: unknown,
): JobEventMap['report'] {
  return {
    model: version.name,
    model_version: version.version,
    best_epoch: result.bestEpoch,
    duration_ms: result.durationMs,
    validation,
  };
}
