// Re-stores the embedding of a trained classifier folder (model.json, weights.bin,
// tokenizer.json, model-card.json) as float16 in model.onnx, as `maas train --embedding-dtype
// float16` does at the end of training. It rebuilds the validation and test parts from the
// model card, recomputes their metrics and the ONNX parity check on the rounded weights, and
// updates the model card.
// Usage: tsx scripts/zoo/convert-embedding-float16.ts <model folder> <training file>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLayersModel } from '../../src/runtimes/tfjs/artifacts.js';
import { useWasmBackend } from '../../src/runtimes/tfjs/backend.js';
import { makeBatches } from '../../src/training/classification/batches.js';
import { roundEmbeddingsToFloat16 } from '../../src/training/classification/pipeline.js';
import {
  argMax,
  encodeExamples,
  predictBatches,
  type LabeledText,
} from '../../src/training/classification/train.js';
import { stratifiedSplit } from '../../src/training/datasets/index.js';
import { computeClassificationReport } from '../../src/training/evaluation/classification-report.js';
import { readLabeledSplits } from '../../src/training/labeled-file.js';
import { exportClassifierToOnnx } from '../../src/training/onnx-export/classifier.js';
import { checkOnnxParity } from '../../src/training/onnx-export/verify.js';
import { Tokenizer } from '../../src/text/index.js';

const [modelDir, trainingFile] = process.argv.slice(2);
if (modelDir === undefined || trainingFile === undefined) {
  console.error(
    'usage: tsx scripts/zoo/convert-embedding-float16.ts <model folder> <training file>',
  );
  process.exit(2);
}

const cardFile = join(modelDir, 'model-card.json');
const card = JSON.parse(readFileSync(cardFile, 'utf8'));
const { split, label_names: labelNames, hyperparameters } = card.training;
const labels: string[] = card.labels;

await useWasmBackend();
const model = await loadLayersModel(modelDir);
const tokenizer = Tokenizer.fromJSON(
  JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')),
);

// The same parts as maas train: the test part with the seed, then the validation part of the
// rest with the seed plus 1.
const splits = await readLabeledSplits(
  trainingFile,
  { labelNames: labelNames ?? undefined, testFraction: split.test_fraction },
  split.seed,
);
const validation = stratifiedSplit(splits.rest, {
  validationFraction: split.validation_fraction,
  seed: split.seed + 1,
}).validation;
if (validation.length !== split.validation_rows || splits.test.length !== split.test_rows) {
  throw new Error(
    `the rebuilt parts have ${validation.length} validation and ${splits.test.length} test rows, but the model card records ${split.validation_rows} and ${split.test_rows}; check the training file`,
  );
}

roundEmbeddingsToFloat16(model);
const evaluate = (rows: readonly LabeledText[]) => {
  const encoded = encodeExamples(tokenizer, labels, rows);
  const probabilities = predictBatches(model, makeBatches(encoded, 128), labels.length);
  const predicted = encoded.map((_, row) =>
    argMax(probabilities.subarray(row * labels.length, (row + 1) * labels.length)),
  );
  return computeClassificationReport(
    labels,
    encoded.map((example) => example.label),
    predicted,
  );
};
const before = { validation: card.metrics.validation.accuracy, test: card.metrics.test.accuracy };
card.metrics = { validation: evaluate(validation), test: evaluate(splits.test) };

writeFileSync(
  join(modelDir, 'model.onnx'),
  exportClassifierToOnnx(model, { embeddingDtype: 'float16' }),
);
card.onnx_parity = await checkOnnxParity(
  model,
  modelDir,
  makeBatches(encodeExamples(tokenizer, labels, validation), 64),
  labels.length,
);
if (!(card.onnx_parity.max_abs_diff <= card.onnx_parity.tolerance)) {
  throw new Error(
    `the float16 export differs from the rounded model by ${card.onnx_parity.max_abs_diff}`,
  );
}
hyperparameters.embeddingDtype = 'float16';
writeFileSync(cardFile, JSON.stringify(card, null, 2) + '\n');
console.log(
  `validation accuracy ${before.validation} → ${card.metrics.validation.accuracy}, test accuracy ${before.test} → ${card.metrics.test.accuracy}, ONNX parity ${card.onnx_parity.max_abs_diff}`,
);
