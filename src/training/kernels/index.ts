import { registerConv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { registerCpuFallbackKernels } from './cpu-fallback.js';
import { registerTileGradient } from './tile-gradient.js';
import { registerUnsortedSegmentSum } from './unsorted-segment-sum.js';

export { registerConv2DBackpropFilter } from './conv2d-backprop-filter.js';
export { CPU_FALLBACK_KERNELS, registerCpuFallbackKernels } from './cpu-fallback.js';
export { registerTileGradient } from './tile-gradient.js';
export { registerUnsortedSegmentSum } from './unsorted-segment-sum.js';

/**
 * Registers every gradient kernel that training on the wasm backend needs; idempotent.
 * tfjs-backend-wasm 4.22 lacks UnsortedSegmentSum (embedding gradients) and
 * Conv2DBackpropFilter (Conv1D filter gradients). The transformer's gradients (batched
 * matMul, softmax, LayerNormalization) all exist there, but the gradient of Tile, which
 * LayerNormalization uses, is replaced by a faster one.
 */
export function registerTrainingKernels(): void {
  registerUnsortedSegmentSum();
  registerConv2DBackpropFilter();
  registerTileGradient();
  registerCpuFallbackKernels();
}
