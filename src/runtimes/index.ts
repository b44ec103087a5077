import { MaasError } from '../errors/index.js';
import { loadTfjsGraph } from './tfjs/graph.js';
import { RUNTIMES, type LoadedGraph } from './types.js';

export { RUNTIMES, type EncodedBatch, type LoadedGraph, type RuntimeName } from './types.js';

/** Loads the graph of a version folder with the runtime the registry recorded for it. */
export async function loadGraph(runtime: string, dir: string): Promise<LoadedGraph> {
  switch (runtime) {
    case 'tfjs':
      return loadTfjsGraph(dir);
    default:
      throw new MaasError(
        'MAAS_ERR_TASK_UNSUPPORTED',
        `runtime "${runtime}" is not supported; supported runtimes: ${RUNTIMES.join(', ')}`,
      );
  }
}
