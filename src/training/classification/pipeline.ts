import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MaasError } from '../../errors/index.js';
import { ONNX_MODEL_FILE } from '../../runtimes/onnx/session.js';
import { saveLayersModel } from '../../runtimes/tfjs/artifacts.js';
import { tf } from '../../runtimes/tfjs/backend.js';
import { roundToFloat16 } from '../../util/float16.js';
import {
  computeClassificationReport,
  type ClassificationReport,
} from '../evaluation/classification-report.js';
import { exportClassifierToOnnx } from '../onnx-export/classifier.js';
import { checkOnnxParity, type OnnxParity } from '../onnx-export/verify.js';
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
  /** Folder that receives model.onnx, model.json, weights.bin and tokenizer.json. */
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
  /** Difference between `model.onnx` and the tfjs model on the validation rows. */
  onnxParity: OnnxParity;
}

/**
 * Trains, evaluates on the validation and test rows, writes the model files and exports
 * `model.onnx`, checked against tfjs on the validation rows.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_FAILED` if ONNX Runtime's outputs differ from tfjs's
 * by more than the tolerance.
 */
export async function runClassifierTraining(
  request: ClassifierTrainingRequest,
  onEvent: (event: TrainingEvent) => void,
  isCancelled: () => boolean,
): Promise<ClassifierTrainingResult> {
  const started = Date.now();
  const trained = await trainTextClassifier(request, onEvent, isCancelled);
  const { embeddingDtype } = request.hyperparameters;
  if (embeddingDtype === 'float16') {
    roundEmbeddingsToFloat16(trained.model);
  }
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
    join(request.outputDir, ONNX_MODEL_FILE),
    exportClassifierToOnnx(trained.model, { embeddingDtype }),
  );
  const onnxParity = await checkOnnxParity(
    trained.model,
    request.outputDir,
    makeBatches(encodeExamples(trained.tokenizer, request.labels, request.validation), 64),
    request.labels.length,
  );
  if (!(onnxParity.max_abs_diff <= onnxParity.tolerance)) {
    trained.model.dispose();
    throw new MaasError(
      'MAAS_ERR_TRAINING_FAILED',
      `the ONNX export differs from the trained model by ${onnxParity.max_abs_diff} on the validation rows (tolerance ${onnxParity.tolerance}); please report this with the architecture and hyperparameters`,
    );
  }
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
    onnxParity,
  };
}

/**
 * Rounds the table of every Embedding layer of `model` to float16 values, as the ONNX export
 * with `embeddingDtype` `float16` stores it, so that evaluation and the parity check see the
 * stored weights.
 */
export function roundEmbeddingsToFloat16(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Embedding') continue;
    const rounded = layer.getWeights().map((weight) => {
      const values = roundToFloat16(weight.dataSync() as Float32Array);
      return tf.tensor(values, weight.shape, 'float32');
    });
    layer.setWeights(rounded);
    tf.dispose(rounded);
  }
}
