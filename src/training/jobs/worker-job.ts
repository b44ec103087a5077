import type { AppContext } from '../../app/context.js';
import type { VersionRecord } from '../../registry/index.js';
import { copyFiles } from '../../storage/index.js';
import { withTrainingOutputDir } from '../output-dir.js';
import type { WorkerTrainers } from '../worker/messages.js';
import { runInWorker, throwIfCancelled } from '../worker/run-in-worker.js';
import type { JobDatasets, JobRunOptions } from './job-trainer.js';
import { jobReport, readJobDatasets } from './job-run.js';
import type { EventWriter } from './event-writer.js';
import type { JobEventMap } from './events.js';
import type { JobRecord } from './job-record.js';

/**
 * Worker trainers whose jobs run through {@link runWorkerJob}. A classifier job runs through
 * `trainAndRegisterClassifier` instead, which reads and splits its dataset itself.
 */
export type SequenceWorkerTrainer = 'tagger' | 'srl';

/** Per-task parts of a job that trains in a worker and registers the exported ONNX files. */
export interface WorkerJobParts<Trainer extends SequenceWorkerTrainer> {
  trainer: Trainer;
  /** Task of the registered version. */
  task: string;
  /** Builds the worker request that writes the model files to `outputDir`. */
  request(datasets: JobDatasets, outputDir: string): WorkerTrainers[Trainer]['request'];
  /** Writes the job event of a worker event, if it has one. */
  writeEvent(events: EventWriter, event: WorkerTrainers[Trainer]['event']): void;
  /** Builds the model card of the registered version. */
  modelCard(
    datasets: JobDatasets,
    result: WorkerTrainers[Trainer]['result'],
  ): Record<string, unknown>;
}

/**
 * Trains `job` in a worker thread in a temporary output folder, registers the files as a new
 * version under the job's model name and alias, and returns the version with its report.
 */
export async function runWorkerJob<Trainer extends SequenceWorkerTrainer>(
  context: AppContext,
  job: JobRecord,
  { events, signal, cancelTimeoutMs }: JobRunOptions,
  parts: WorkerJobParts<Trainer>,
): Promise<{ version: VersionRecord; report: JobEventMap['report'] }> {
  const datasets = await readJobDatasets(context, job);
  return withTrainingOutputDir(context.dataDir, async (outputDir) => {
    const result = await runInWorker(parts.trainer, parts.request(datasets, outputDir), {
      onEvent: (event) => parts.writeEvent(events, event),
      signal,
      terminateAfterMs: cancelTimeoutMs,
    });
    const modelCard = parts.modelCard(datasets, result);
    // A cancel that came while the export finished must not register a version.
    throwIfCancelled(signal);
    const version = await context.registry.createVersion({
      name: job.modelName,
      task: parts.task,
      runtime: 'onnx',
      modelCard,
      ...(job.alias === null ? {} : { alias: job.alias }),
      writeFiles: (dir) => copyFiles(outputDir, dir),
    });
    return { version, report: jobReport(version, result, result.validation) };
  });
}
