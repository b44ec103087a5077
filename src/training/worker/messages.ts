import type { TrainingEvent } from '../classification/events.js';
import type {
  ClassifierTrainingRequest,
  ClassifierTrainingResult,
} from '../classification/pipeline.js';
import type {
  TaggerPipelineEvent,
  TaggerTrainingRequest,
  TaggerTrainingResult,
} from '../tagging/pipeline.js';
import type { SrlPipelineEvent, SrlTrainingRequest, SrlTrainingResult } from '../srl/pipeline.js';

/** Request, event and result types of each trainer that a worker thread runs. */
export interface WorkerTrainers {
  classifier: {
    request: ClassifierTrainingRequest;
    event: TrainingEvent;
    result: ClassifierTrainingResult;
  };
  tagger: {
    request: TaggerTrainingRequest;
    event: TaggerPipelineEvent;
    result: TaggerTrainingResult;
  };
  srl: {
    request: SrlTrainingRequest;
    event: SrlPipelineEvent;
    result: SrlTrainingResult;
  };
}
export type WorkerTrainer = keyof WorkerTrainers;

/** Messages from the parent thread to a training worker. */
export type ToWorkerMessage =
  | {
      [Trainer in WorkerTrainer]: {
        type: 'start';
        trainer: Trainer;
        request: WorkerTrainers[Trainer]['request'];
      };
    }[WorkerTrainer]
  | { type: 'cancel' };

/** Messages from a training worker to its parent thread. */
export type FromWorkerMessage<Trainer extends WorkerTrainer = WorkerTrainer> =
  | { type: 'event'; event: WorkerTrainers[Trainer]['event'] }
  | { type: 'done'; result: WorkerTrainers[Trainer]['result'] }
  | { type: 'failed'; error: WorkerError };

/** An error thrown inside a worker, as plain data. */
export interface WorkerError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}
