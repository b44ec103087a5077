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
import { tokenKey } from './token-splitter.js';
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
  };
  await writeFile(join(dir, TAGGER_FILE), JSON.stringify(file));
  await writeFile(join(dir, ONNX_MODEL_FILE), exportTaggerToOnnx(trained.model));

  const rows = sentences
    .slice(0, PARITY_SENTENCES)
    .map((sentence) =>
      sentence.tokens
        .slice(0, hyperparameters.maxLength)
        .map((token) => trained.vocabulary.idOf(tokenKey(token))),
    )
    .filter((ids) => ids.length > 0);
  const parity = await compareRuntimes(trained.model, dir, rows, tags.length);
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
  rows: readonly number[][],
  width: number,
): Promise<OnnxParity> {
  const graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  let maxAbsDiff = 0;
  try {
    for (let first = 0; first < rows.length; first += 16) {
      const batch = rows.slice(first, first + 16);
      const steps = Math.max(2, ...batch.map((row) => row.length));
      const ids = new Int32Array(batch.length * steps);
      batch.forEach((row, index) => ids.set(row, index * steps));
      const expected = tf.tidy(
        () =>
          (
            model.predict(tf.tensor2d(ids, [batch.length, steps], 'int32')) as tf.Tensor
          ).dataSync() as Float32Array,
      );
      const actual = await graph.run({
        ids,
        attentionMask: ids.map((id) => (id === 0 ? 0 : 1)),
        batchSize: batch.length,
        sequenceLength: steps,
      });
      batch.forEach((row, index) => {
        const start = index * steps * width;
        for (let at = start; at < start + row.length * width; at++) {
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
