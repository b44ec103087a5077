import { tf } from '../../runtimes/tfjs/backend.js';

interface WasmBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): tf.TensorInfo;
}

/**
 * UnsortedSegmentSum for the wasm backend as one scatter-add pass over `x`. The tfjs CPU
 * kernel compares every row with every segment id, which costs numSegments times more: with
 * an embedding of 10,000 rows that dominated a training step. Ids outside [0, numSegments)
 * are dropped, as TensorFlow does.
 */
export function registerUnsortedSegmentSum(): boolean {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined) {
    return false;
  }
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as unknown as WasmBackend;
      const x = inputs['x'] as tf.TensorInfo;
      const segmentIds = inputs['segmentIds'] as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;

      const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
      const values = wasm.readSync(x.dataId) as Float32Array | Int32Array;
      const rowShape = x.shape.slice(segmentIds.shape.length);
      const rowSize = rowShape.reduce((product, size) => product * size, 1);
      const output =
        x.dtype === 'int32'
          ? new Int32Array(numSegments * rowSize)
          : new Float32Array(numSegments * rowSize);

      for (let row = 0; row < ids.length; row++) {
        const segment = ids[row] as number;
        if (segment < 0 || segment >= numSegments) {
          continue;
        }
        const source = row * rowSize;
        const target = segment * rowSize;
        for (let k = 0; k < rowSize; k++) {
          (output[target + k] as number) += values[source + k] as number;
        }
      }
      return wasm.makeOutput([numSegments, ...rowShape], x.dtype, undefined, output);
    },
  });
  return true;
}
