import { tf } from '../../runtimes/tfjs/backend.js';

/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 does not implement, that training
 * needs, and that run fast enough on the CPU backend: none at present. The two missing
 * kernels have their own wasm kernels, UnsortedSegmentSum in unsorted-segment-sum.ts and
 * Conv2DBackpropFilter in conv2d-backprop-filter.ts, because the CPU kernels were too slow.
 */
export const CPU_FALLBACK_KERNELS: readonly string[] = [];

type TensorInfo = tf.TensorInfo;

interface DataBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
}

interface WasmBackend extends DataBackend {
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): TensorInfo;
}

/**
 * Registers, for each kernel of `kernelNames` that the wasm backend lacks, a wasm kernel that
 * copies its inputs to the CPU backend, runs the CPU kernel there and copies the result back.
 * Returns the names it registered; calling it again registers nothing.
 */
export function registerCpuFallbackKernels(
  kernelNames: readonly string[] = CPU_FALLBACK_KERNELS,
): string[] {
  const registered: string[] = [];
  for (const kernelName of kernelNames) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) {
      continue;
    }
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (cpuKernel === undefined) {
      throw new Error(`the tfjs cpu backend has no ${kernelName} kernel to fall back on`);
    }
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: (args) => runOnCpu(cpuKernel.kernelFunc, args),
    });
    registered.push(kernelName);
  }
  return registered;
}

function runOnCpu(
  kernelFunc: tf.KernelFunc,
  { inputs, attrs, backend }: Parameters<tf.KernelFunc>[0],
): TensorInfo | TensorInfo[] {
  const wasm = backend as unknown as WasmBackend;
  const cpu = tf.engine().findBackend('cpu') as unknown as DataBackend &
    tf.KernelBackend & { firstUse?: boolean };
  // The CPU backend prints a "install tfjs-node" banner on first use; here it is intended.
  cpu.firstUse = false;
  const cpuInputs: Record<string, TensorInfo> = {};
  const written: object[] = [];

  for (const [name, info] of Object.entries(inputs)) {
    if (info === undefined) {
      continue;
    }
    const dataId = cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype);
    written.push(dataId);
    cpuInputs[name] = { dataId, shape: info.shape, dtype: info.dtype };
  }

  try {
    const result = kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
    const outputs = Array.isArray(result) ? result : [result];
    const copied = outputs.map((output) => {
      const values = cpu.readSync(output.dataId);
      cpu.disposeData(output.dataId, true);
      return wasm.makeOutput(output.shape, output.dtype, undefined, values);
    });
    return Array.isArray(result) ? copied : (copied[0] as TensorInfo);
  } finally {
    for (const dataId of written) {
      cpu.disposeData(dataId, true);
    }
  }
}
