import { CLASSIFIER_JOB_TRAINER } from './classifier-job.js';
import type { JobTrainer } from './job-trainer.js';
import { SRL_JOB_TRAINER } from './srl-job.js';
import type { TrainableTask } from './states.js';
import { TAGGER_JOB_TRAINER } from './tagger-job.js';

/** Trainer of each task that jobs train. The job code dispatches by task here only. */
export const JOB_TRAINERS: Readonly<Record<TrainableTask, JobTrainer>> = {
  'text-classification': CLASSIFIER_JOB_TRAINER,
  'token-classification': TAGGER_JOB_TRAINER,
  'semantic-role-labeling': SRL_JOB_TRAINER,
};

/** Returns the trainer of a job's task, which prepareJob checked when it was queued. */
export function trainerOf(task: string): JobTrainer {
  const trainer = Object.hasOwn(JOB_TRAINERS, task)
    ? JOB_TRAINERS[task as TrainableTask]
    : undefined;
  if (trainer === undefined) throw new Error(`no job trainer for task ${JSON.stringify(task)}`);
  return trainer;
}

/** Returns the task whose trainer reads datasets of `kind`, if any. */
export function taskOfDatasetKind(kind: string): TrainableTask | undefined {
  return (Object.keys(JOB_TRAINERS) as TrainableTask[]).find(
    (task) => JOB_TRAINERS[task].datasetKind === kind,
  );
}
