import { tf } from '../../runtimes/tfjs/backend.js';

interface WasmBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): tf.TensorInfo;
}

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * Conv2DBackpropFilter (the filter gradient of Conv1D and Conv2D) for the wasm backend. For
 * each offset (r, c) of the filter it gathers the input rows that the offset reads, zero
 * where they fall into padding, as a matrix `[batch · outHeight · outWidth, inChannels]`, and
 * multiplies its transpose with the output gradient by the wasm BatchMatMul kernel. Copying
 * to the tfjs 4.22 CPU kernel instead took about 60 s for one textcnn step (batch 32, 128
 * steps, width and filters 64, kernel 3) on a loaded 2-core machine, because that kernel
 * indexes every element through a TensorBuffer. Only the NHWC layout is implemented, the one
 * Conv1D uses; dilations are 1, as the kernel's attributes imply.
 */
export function registerConv2DBackpropFilter(): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) {
    return false;
  }
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (batchMatMul === undefined) {
    throw new Error('the tfjs wasm backend has no BatchMatMul kernel');
  }
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as unknown as WasmBackend;
      const x = inputs['x'] as tf.TensorInfo;
      const dy = inputs['dy'] as tf.TensorInfo;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
        attrs as unknown as Conv2DBackpropFilterAttrs;
      if (dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const values = wasm.readSync(x.dataId) as Float32Array;
      const positions = info.batchSize * info.outHeight * info.outWidth;
      const outputGradient = { ...dy, shape: [1, positions, info.outChannels] };
      const offsetSize = info.inChannels * info.outChannels;
      const gradient = new Float32Array(info.filterHeight * info.filterWidth * offsetSize);

      for (let r = 0; r < info.filterHeight; r++) {
        for (let c = 0; c < info.filterWidth; c++) {
          const rows = wasm.makeOutput(
            [1, positions, info.inChannels],
            'float32',
            undefined,
            gatherRows(info, values, r, c),
          );
          const product = batchMatMul.kernelFunc({
            inputs: { a: rows, b: outputGradient },
            attrs: { transposeA: true, transposeB: false },
            backend,
          }) as tf.TensorInfo;
          gradient.set(
            wasm.readSync(product.dataId) as Float32Array,
            (r * info.filterWidth + c) * offsetSize,
          );
          wasm.disposeData(rows.dataId, true);
          wasm.disposeData(product.dataId, true);
        }
      }
      return wasm.makeOutput([...info.filterShape], 'float32', undefined, gradient);
    },
  });
  return true;
}

/**
 * Gathers the input rows that filter offset (r, c) reads, one per output position in
 * `[batch, outHeight, outWidth]` order, as `[positions, inChannels]`. Rows in padding are zero.
 */
function gatherRows(
  info: tf.backend_util.Conv2DInfo,
  x: Float32Array,
  r: number,
  c: number,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const rows = new Float32Array(batchSize * outHeight * outWidth * inChannels);
  let target = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let row = 0; row < outHeight; row++) {
      const xRow = row * strideHeight + r - top;
      for (let column = 0; column < outWidth; column++, target += inChannels) {
        const xColumn = column * strideWidth + c - left;
        if (xRow < 0 || xRow >= inHeight || xColumn < 0 || xColumn >= inWidth) continue;
        const source = ((b * inHeight + xRow) * inWidth + xColumn) * inChannels;
        rows.set(x.subarray(source, source + inChannels), target);
      }
    }
  }
  return rows;
}
