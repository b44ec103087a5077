import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadOnnxGraph, ONNX_MODEL_FILE } from '../../runtimes/onnx/session.js';
import { tf } from '../../runtimes/tfjs/backend.js';
import {
  TAGGER_FILE,
  TAGGER_FORMAT,
  TAGGER_FORMAT_VERSION,
  type TaggerFile,
} from '../../tasks/tagger-file.js';
import { exportTaggerToOnnx } from '../onnx-export/tagger.js';
import { ONNX_PARITY_TOLERANCE, type OnnxParity } from '../onnx-export/verify.js';
import type { TaggerHyperparameters } from './model.js';
import { createTokenEncoder } from './word-features.js';
import type { TaggedSentence, TrainedTagger } from './train.js';

/** Sentences of the validation set run through both runtimes to check the export. */
const PARITY_SENTENCES = 64;

/**
 * Writes `model.onnx` and `tagger.json` of a trained tagger into `dir` and compares the
 * ONNX graph with the tfjs model on up to 64 `sentences`, over their real tokens.
 *
 * @throws Error when the outputs differ by more than {@link ONNX_PARITY_TOLERANCE}.
 */
export async function writeTaggerArtifacts(
  trained: TrainedTagger,
  hyperparameters: TaggerHyperparameters,
  tags: readonly string[],
  sentences: readonly TaggedSentence[],
  dir: string,
): Promise<OnnxParity> {
  const file: TaggerFile = {
    format: TAGGER_FORMAT,
    format_version: TAGGER_FORMAT_VERSION,
    unit: hyperparameters.unit,
    max_length: hyperparameters.maxLength,
    vocabulary: [...trained.vocabulary.tokens()],
    tags: [...tags],
    crf: trained.crf,
    ...(trained.features === null ? {} : { word_features: trained.features }),
  };
  await writeFile(join(dir, TAGGER_FILE), JSON.stringify(file));
  await writeFile(join(dir, ONNX_MODEL_FILE), exportTaggerToOnnx(trained.model));

  const encoder = createTokenEncoder(trained.vocabulary, trained.features);
  const rows = sentences
    .slice(0, PARITY_SENTENCES)
    .map((sentence) => encoder.encode(sentence.tokens.slice(0, hyperparameters.maxLength)))
    .filter((ids) => ids.length > 0);
  const parity = await compareRuntimes(trained.model, dir, rows, tags.length, encoder.width);
  if (!(parity.max_abs_diff <= ONNX_PARITY_TOLERANCE)) {
    throw new Error(
      `the ONNX export differs from tfjs by ${parity.max_abs_diff} (more than ${ONNX_PARITY_TOLERANCE})`,
    );
  }
  return parity;
}

async function compareRuntimes(
  model: tf.LayersModel,
  dir: string,
  rows: readonly Int32Array[],
  width: number,
  featureWidth: number,
): Promise<OnnxParity> {
  const graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  let maxAbsDiff = 0;
  try {
    for (let first = 0; first < rows.length; first += 16) {
      const batch = rows.slice(first, first + 16);
      const lengths = batch.map((row) => row.length / featureWidth);
      const steps = Math.max(2, ...lengths);
      const ids = new Int32Array(batch.length * steps * featureWidth);
      const attentionMask = new Int32Array(batch.length * steps);
      batch.forEach((row, index) => {
        ids.set(row, index * steps * featureWidth);
        attentionMask.fill(1, index * steps, index * steps + (lengths[index] as number));
      });
      const shape =
        featureWidth === 1 ? [batch.length, steps] : [batch.length, steps, featureWidth];
      const expected = tf.tidy(
        () =>
          (model.predict(tf.tensor(ids, shape, 'int32')) as tf.Tensor).dataSync() as Float32Array,
      );
      const actual = await graph.run({
        ids,
        attentionMask,
        batchSize: batch.length,
        sequenceLength: steps,
        ...(featureWidth === 1 ? {} : { featureWidth }),
      });
      batch.forEach((_, index) => {
        const start = index * steps * width;
        for (let at = start; at < start + (lengths[index] as number) * width; at++) {
          const diff = Math.abs((actual[at] as number) - (expected[at] as number));
          maxAbsDiff = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, diff);
        }
      });
    }
  } finally {
    graph.dispose();
  }
  return { rows_checked: rows.length, max_abs_diff: maxAbsDiff, tolerance: ONNX_PARITY_TOLERANCE };
}
