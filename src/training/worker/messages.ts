import type { TrainingEvent } from '../classification/events.js';
import type {
  ClassifierTrainingRequest,
  ClassifierTrainingResult,
} from '../classification/pipeline.js';

/** Messages from the parent thread to a training worker. */
export type ToWorkerMessage =
  { type: 'start'; request: ClassifierTrainingRequest } | { type: 'cancel' };

/** Messages from a training worker to its parent thread. */
export type FromWorkerMessage =
  | { type: 'event'; event: TrainingEvent }
  | { type: 'done'; result: ClassifierTrainingResult }
  | { type: 'failed'; error: WorkerError };

/** An error thrown inside a worker, as plain data. */
export interface WorkerError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}
