import { loadOnnxGraph } from '../../runtimes/onnx/session.js';
import type { tf } from '../../runtimes/tfjs/backend.js';
import type { Batch } from '../classification/batches.js';
import { predictBatches } from '../classification/train.js';

/** Largest difference between tfjs and ONNX Runtime outputs that an export may show. */
export const ONNX_PARITY_TOLERANCE = 1e-4;

/** Result of the parity check of an export, as the model card records it. */
export interface OnnxParity {
  rows_checked: number;
  max_abs_diff: number;
  tolerance: number;
}

/**
 * Runs `batches` through the tfjs `model` and through `model.onnx` in `dir` with ONNX
 * Runtime, and returns the largest absolute difference of their outputs. The batches are
 * padded at the end, with their attention mask derived from the ids (id 0 is padding).
 */
export async function checkOnnxParity(
  model: tf.LayersModel,
  dir: string,
  batches: readonly Batch[],
  outputSize: number,
): Promise<OnnxParity> {
  const expected = predictBatches(model, batches, outputSize);
  const graph = await loadOnnxGraph(dir, { intraOpThreads: 1, graphOptimizationLevel: 'all' });
  let maxAbsDiff = 0;
  let offset = 0;
  let rows = 0;
  try {
    for (const batch of batches) {
      const actual = await graph.run({
        ids: batch.ids,
        attentionMask: batch.ids.map((id) => (id === 0 ? 0 : 1)),
        batchSize: batch.size,
        sequenceLength: batch.sequenceLength,
      });
      actual.forEach((value, index) => {
        const diff = Math.abs(value - (expected[offset + index] as number));
        // NaN on either side counts as a mismatch.
        maxAbsDiff = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, diff);
      });
      offset += actual.length;
      rows += batch.size;
    }
  } finally {
    graph.dispose();
  }
  return { rows_checked: rows, max_abs_diff: maxAbsDiff, tolerance: ONNX_PARITY_TOLERANCE };
}
