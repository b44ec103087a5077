import type { OnnxParity } from '../onnx-export/verify.js';

/** Outcome of a tagger or role tagger training run, as its model card records it. */
export interface SequenceCardFields<Hyperparameters, EpochMetrics, Report> {
  description?: string;
  hyperparameters: Hyperparameters;
  /** Model card `training` fields: data source, split, command and the like. */
  training?: Record<string, unknown>;
  bestEpoch: number;
  history: readonly EpochMetrics[];
  vocabularySize: number;
  validation: Report;
  test: Report | null;
  onnxParity: OnnxParity;
}

/**
 * Builds the `model-card.json` of a tagger or role tagger version. `parameters` goes into the
 * card only when it is given.
 */
export function sequenceModelCard<Hyperparameters, EpochMetrics, Report>(
  fields: SequenceCardFields<Hyperparameters, EpochMetrics, Report>,
  model: { architecture: string; labels: readonly string[]; parameters?: number },
): Record<string, unknown> {
  return {
    description: fields.description ?? null,
    architecture: model.architecture,
    labels: [...model.labels],
    ...(model.parameters === undefined ? {} : { parameters: model.parameters }),
    training: {
      ...fields.training,
      hyperparameters: fields.hyperparameters,
      best_epoch: fields.bestEpoch,
      history: fields.history,
    },
    vocabulary_size: fields.vocabularySize,
    metrics: { validation: fields.validation, test: fields.test },
    onnx_parity: fields.onnxParity,
  };
}
