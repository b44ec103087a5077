import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveLayersModel } from '../../runtimes/tfjs/artifacts.js';
import {
  computeClassificationReport,
  type ClassificationReport,
} from '../evaluation/classification-report.js';
import { makeBatches } from './batches.js';
import type { EpochMetrics, TrainingEvent } from './events.js';
import type { ClassifierHyperparameters } from './hyperparameters.js';
import {
  argMax,
  encodeExamples,
  predictBatches,
  trainTextClassifier,
  type LabeledText,
} from './train.js';

export const TOKENIZER_FILE = 'tokenizer.json';

/** Everything a training worker needs; plain data, so it crosses a worker boundary. */
export interface ClassifierTrainingRequest {
  train: LabeledText[];
  validation: LabeledText[];
  /** Held-out rows used for nothing but the final report; may be empty. */
  test: LabeledText[];
  labels: string[];
  hyperparameters: ClassifierHyperparameters;
  /** Folder that receives model.json, weights.bin and tokenizer.json. */
  outputDir: string;
}

export interface ClassifierTrainingResult {
  history: EpochMetrics[];
  bestEpoch: number;
  vocabularySize: number;
  parameterCount: number;
  durationMs: number;
  validationReport: ClassificationReport;
  testReport: ClassificationReport | undefined;
}

/** Trains, evaluates on the validation and test rows, and writes the model files. */
export async function runClassifierTraining(
  request: ClassifierTrainingRequest,
  onEvent: (event: TrainingEvent) => void,
  isCancelled: () => boolean,
): Promise<ClassifierTrainingResult> {
  const started = Date.now();
  const trained = await trainTextClassifier(request, onEvent, isCancelled);
  const evaluate = (examples: readonly LabeledText[]): ClassificationReport => {
    const encoded = encodeExamples(trained.tokenizer, request.labels, examples);
    const probabilities = predictBatches(
      trained.model,
      makeBatches(encoded, 128),
      request.labels.length,
    );
    const predicted = encoded.map((_, row) =>
      argMax(
        probabilities.subarray(row * request.labels.length, (row + 1) * request.labels.length),
      ),
    );
    return computeClassificationReport(
      request.labels,
      encoded.map((example) => example.label),
      predicted,
    );
  };

  const validationReport = evaluate(request.validation);
  const testReport = request.test.length > 0 ? evaluate(request.test) : undefined;
  await saveLayersModel(trained.model, request.outputDir);
  await writeFile(
    join(request.outputDir, TOKENIZER_FILE),
    JSON.stringify(trained.tokenizer.toJSON()),
  );
  const parameterCount = trained.model.countParams();
  trained.model.dispose();

  return {
    history: trained.history,
    bestEpoch: trained.bestEpoch,
    vocabularySize: trained.tokenizer.vocabulary.size,
    parameterCount,
    durationMs: Date.now() - started,
    validationReport,
    testReport,
  };
}
