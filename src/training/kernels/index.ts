import { registerCpuFallbackKernels } from './cpu-fallback.js';
import { registerUnsortedSegmentSum } from './unsorted-segment-sum.js';

export { CPU_FALLBACK_KERNELS, registerCpuFallbackKernels } from './cpu-fallback.js';
export { registerUnsortedSegmentSum } from './unsorted-segment-sum.js';

/** Registers every gradient kernel that training on the wasm backend needs; idempotent. */
export function registerTrainingKernels(): void {
  registerUnsortedSegmentSum();
  registerCpuFallbackKernels();
}
