import type { OnnxParity } from '../onnx-export/verify.js';

// Data that the tagger and role tagger pipelines exchange with their parent thread.

/** Everything a training worker needs to train a sequence model, as plain data. */
export interface SequenceTrainingRequest<Source, Hyperparameters> {
  training: Source;
  /** File used whole as the validation set, in place of holding out `validationFraction`. */
  validation?: Source;
  /** Fraction of the training sentences held out for early stopping and model selection. */
  validationFraction: number;
  /** Overrides of the trainer's default hyperparameters. */
  hyperparameters: Partial<Hyperparameters>;
  /** Folder that receives `model.onnx` and `tagger.json`. */
  outputDir: string;
}

/** Training events of a run in a worker, whose `started` event adds the fields of `Sizes`. */
export type WithStartedSizes<Event extends { type: string }, Sizes> =
  Exclude<Event, { type: 'started' }> | (Extract<Event, { type: 'started' }> & Sizes);

/** Outcome of a tagger or role tagger run in a worker, as plain data. */
export interface SequenceTrainingOutcome<Hyperparameters, EpochMetrics, Report> {
  hyperparameters: Hyperparameters;
  history: EpochMetrics[];
  bestEpoch: number;
  vocabularySize: number;
  parameterCount: number;
  durationMs: number;
  /** Report of the validation set at the best epoch. */
  validation: Report;
  onnxParity: OnnxParity;
  trainSentences: number;
  validationSentences: number;
}
