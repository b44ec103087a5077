import { MaasError } from '../errors/index.js';
import { loadOnnxGraph, type OnnxSessionOptions } from './onnx/session.js';
import { loadTfjsGraph } from './tfjs/graph.js';
import type { LoadedGraph } from './types.js';

export { RUNTIMES, type EncodedBatch, type LoadedGraph, type RuntimeName } from './types.js';
export {
  DEFAULT_ONNX_SESSION_OPTIONS,
  GRAPH_OPTIMIZATION_LEVELS,
  ONNX_MODEL_FILE,
  type GraphOptimizationLevel,
  type OnnxSessionOptions,
} from './onnx/session.js';

/** Options of each runtime, from the settings. */
export interface RuntimeOptions {
  onnx?: OnnxSessionOptions;
}

/** Loads the graph of a version folder with the runtime the registry recorded for it. */
export async function loadGraph(
  runtime: string,
  dir: string,
  options: RuntimeOptions = {},
): Promise<LoadedGraph> {
  switch (runtime) {
    case 'onnx':
      return loadOnnxGraph(dir, options.onnx);
    case 'tfjs':
      return loadTfjsGraph(dir);
    default:
      throw new MaasError(
        'MAAS_ERR_TASK_UNSUPPORTED',
        `runtime "${runtime}" has no graph loader; supported runtimes: onnx, tfjs (GGUF models load through the llama runtime)`,
      );
  }
}
