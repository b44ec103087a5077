import { access } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { MaasError } from '../../errors/index.js';
import type { EncodedBatch, LoadedGraph } from '../types.js';

/** File name of the ONNX graph inside a version folder. */
export const ONNX_MODEL_FILE = 'model.onnx';

export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimizationLevel = (typeof GRAPH_OPTIMIZATION_LEVELS)[number];

/** ONNX Runtime session options that the settings `onnx.*` control. */
export interface OnnxSessionOptions {
  /** Threads of one operator; 0 lets ONNX Runtime use one per core. */
  intraOpThreads: number;
  graphOptimizationLevel: GraphOptimizationLevel;
}

export const DEFAULT_ONNX_SESSION_OPTIONS: Readonly<OnnxSessionOptions> = Object.freeze({
  intraOpThreads: 0,
  graphOptimizationLevel: 'all',
});

/**
 * Opens `model.onnx` of a version folder. The graph must take int64 `input_ids` and, if it
 * declares them, `attention_mask` and `predicate_indicator`, all `[batch, sequence]`, and
 * return one float32 `[batch, width]` output.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` if the file is missing or its inputs and
 * outputs do not fit.
 */
export async function loadOnnxGraph(
  dir: string,
  options: Readonly<OnnxSessionOptions> = DEFAULT_ONNX_SESSION_OPTIONS,
): Promise<LoadedGraph> {
  const path = join(dir, ONNX_MODEL_FILE);
  try {
    await access(path);
  } catch (error) {
    throw new MaasError('MAAS_ERR_ARTIFACT_INVALID', `${path} is missing`, { cause: error });
  }
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: options.graphOptimizationLevel,
  });
  try {
    return describeGraph(session, path);
  } catch (error) {
    await session.release();
    throw error;
  }
}

function describeGraph(session: ort.InferenceSession, path: string): LoadedGraph {
  if (!session.inputNames.includes('input_ids')) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${path} has no input_ids input; its inputs are ${session.inputNames.join(', ')}`,
    );
  }
  const feedsMask = session.inputNames.includes('attention_mask');
  const feedsPredicate = session.inputNames.includes('predicate_indicator');
  const outputName = session.outputNames[0];
  const outputMetadata = session.outputMetadata[0];
  const outputSize =
    outputMetadata !== undefined && outputMetadata.isTensor
      ? outputMetadata.shape.at(-1)
      : undefined;
  if (outputName === undefined || typeof outputSize !== 'number') {
    throw new MaasError('MAAS_ERR_ARTIFACT_INVALID', `${path} has no output of fixed width`);
  }

  return {
    runtime: 'onnx',
    outputSize,
    async run(batch: EncodedBatch): Promise<Float32Array> {
      const dims = [batch.batchSize, batch.sequenceLength];
      const idDims = batch.featureWidth === undefined ? dims : [...dims, batch.featureWidth];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', toInt64(batch.ids), idDims),
      };
      if (feedsMask) {
        feeds['attention_mask'] = new ort.Tensor('int64', toInt64(batch.attentionMask), dims);
      }
      if (feedsPredicate) {
        if (batch.predicateIndicator === undefined) {
          throw new Error(`${path} needs a predicate_indicator input, but the batch has none`);
        }
        feeds['predicate_indicator'] = new ort.Tensor(
          'int64',
          toInt64(batch.predicateIndicator),
          dims,
        );
      }
      const results = await session.run(feeds, [outputName]);
      const output = results[outputName] as ort.Tensor;
      try {
        return Float32Array.from(output.data as Float32Array);
      } finally {
        output.dispose();
      }
    },
    dispose(): void {
      void session.release();
    },
  };
}

function toInt64(values: Int32Array): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i] as number);
  return out;
}
