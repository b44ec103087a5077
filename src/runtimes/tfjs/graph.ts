import { MaasError } from '../../errors/index.js';
import type { EncodedBatch, LoadedGraph } from '../types.js';
import { loadLayersModel } from './artifacts.js';
import { tf, useWasmBackend } from './backend.js';

/**
 * Loads a tfjs layers model from a version folder. Padding is handled by the model's own
 * mask (id 0), so `attentionMask` is not fed.
 */
export async function loadTfjsGraph(dir: string): Promise<LoadedGraph> {
  await useWasmBackend();
  const model = await loadLayersModel(dir);
  const outputShape = model.outputs[0]?.shape;
  const outputSize = outputShape?.[outputShape.length - 1];
  if (typeof outputSize !== 'number') {
    model.dispose();
    throw new MaasError('MAAS_ERR_ARTIFACT_INVALID', `model in ${dir} has no fixed output width`);
  }

  return {
    runtime: 'tfjs',
    outputSize,
    async run(batch: EncodedBatch): Promise<Float32Array> {
      const output = tf.tidy(() => {
        const ids = tf.tensor2d(batch.ids, [batch.batchSize, batch.sequenceLength], 'int32');
        return model.predict(ids) as tf.Tensor;
      });
      try {
        return (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
    },
    dispose(): void {
      model.dispose();
    },
  };
}
