/** Metrics of one finished epoch. */
export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  elapsedMs: number;
}

/** Progress of a training run, in the order a run emits them. */
export type TrainingEvent =
  | {
      type: 'started';
      trainExamples: number;
      validationExamples: number;
      vocabularySize: number;
      batchesPerEpoch: number;
      epochs: number;
    }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | ({ type: 'epoch'; epochs: number; improved: boolean } & EpochMetrics)
  | { type: 'early_stopped'; epoch: number; bestEpoch: number };
