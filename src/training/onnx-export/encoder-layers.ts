import type { tf } from '../../runtimes/tfjs/backend.js';
import { MASKED_SCORE_PENALTY } from '../../runtimes/tfjs/attention-layers.js';
import { MASKED_MAX_PENALTY } from '../../runtimes/tfjs/convolution-layers.js';
import type { GraphBuilder } from './graph-builder.js';

/** Graph values shared by the layers of one export, made from `attention_mask`. */
export interface MaskValues {
  graph: GraphBuilder;
  inputIds: string;
  /** Float mask `[batch, sequence, 1]`: 1 at a token, 0 at padding. */
  mask: string;
}

/**
 * Exports MaskedConv1D over `sequence` (`[batch, steps, width]`): padded steps are zeroed,
 * then an ONNX Conv over `[batch, width, steps]` with the `same` padding of TensorFlow (the
 * extra step of an even kernel at the end), the bias and relu.
 */
export function exportMaskedConv1D(
  values: MaskValues,
  layer: tf.layers.Layer,
  sequence: string,
): string {
  const { graph } = values;
  const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
  const [kernelSize, width, filters] = kernel.shape as [number, number, number];
  const before = Math.floor((kernelSize - 1) / 2);
  const after = kernelSize - 1 - before;

  const zeroed = graph.op('Mul', [sequence, values.mask]);
  const channelsFirst = graph.op('Transpose', [zeroed], { perm: [0, 2, 1] });
  const convolved = graph.op(
    'Conv',
    [
      channelsFirst,
      graph.floats(
        `${layer.name}.kernel`,
        convolutionKernelToOnnx(floatsOf(kernel), kernelSize, width, filters),
        [filters, width, kernelSize],
      ),
      graph.floats(`${layer.name}.bias`, floatsOf(bias), [filters]),
    ],
    { kernel_shape: [kernelSize], pads: [before, after], strides: [1], dilations: [1] },
  );
  return graph.op('Transpose', [graph.op('Relu', [convolved])], { perm: [0, 2, 1] });
}

/** Converts a tfjs Conv1D kernel `[kernel, width, filters]` to ONNX `[filters, width, kernel]`. */
export function convolutionKernelToOnnx(
  kernel: Float32Array,
  kernelSize: number,
  width: number,
  filters: number,
): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let step = 0; step < kernelSize; step++) {
    for (let channel = 0; channel < width; channel++) {
      for (let filter = 0; filter < filters; filter++) {
        out[(filter * width + channel) * kernelSize + step] = kernel[
          (step * width + channel) * filters + filter
        ] as number;
      }
    }
  }
  return out;
}

/**
 * Exports MaskedMaxPooling: the max over the steps of `sequence` after subtracting
 * MASKED_MAX_PENALTY at padded steps, times 0 for a row without tokens.
 */
export function exportMaskedMaxPooling(values: MaskValues, sequence: string): string {
  const { graph } = values;
  const penalty = graph.op('Mul', [
    graph.op('Sub', [values.mask, scalar(graph, 'one', 1)]),
    scalar(graph, 'max_penalty', MASKED_MAX_PENALTY),
  ]);
  // ReduceMax takes its axes as an attribute up to opset 17.
  const maximum = graph.op('ReduceMax', [graph.op('Add', [sequence, penalty])], {
    axes: [1],
    keepdims: 0,
  });
  const anyToken = graph.op('ReduceMax', [values.mask], { axes: [1], keepdims: 0 });
  return graph.op('Mul', [maximum, anyToken]);
}

/** Exports LayerNormalization over the last axis as the ONNX operator of opset 17. */
export function exportLayerNormalization(
  graph: GraphBuilder,
  layer: tf.layers.Layer,
  sequence: string,
): string {
  const config = layer.getConfig();
  // tfjs-layers resolves the axis to a list of non-negative axes when it builds the layer.
  const axis = ([] as unknown[]).concat(config['axis']);
  if (!(axis.length === 1 && (axis[0] === -1 || axis[0] === 2))) {
    throw new Error(`${layer.name}: only LayerNormalization over the last axis is exported`);
  }
  const weights = layer.getWeights();
  let next = 0;
  const take = (enabled: unknown, fill: number, width: number): Float32Array => {
    if (enabled === false) return new Float32Array(width).fill(fill);
    return floatsOf(weights[next++] as tf.Tensor);
  };
  const width = (weights[0]?.shape[0] ?? 0) as number;
  if (width === 0) throw new Error(`${layer.name}: LayerNormalization without scale or center`);
  const gamma = take(config['scale'], 1, width);
  const beta = take(config['center'], 0, width);
  return graph.op(
    'LayerNormalization',
    [
      sequence,
      graph.floats(`${layer.name}.gamma`, gamma, [width]),
      graph.floats(`${layer.name}.beta`, beta, [width]),
    ],
    { axis: -1, epsilon: config['epsilon'] as number },
  );
}

/**
 * Exports PositionEmbedding: rows 0 to steps - 1 of the table, gathered by a Range over the
 * sequence length of `input_ids`, so that the sequence axis stays dynamic.
 */
export function exportPositionEmbedding(
  values: MaskValues,
  layer: tf.layers.Layer,
  sequence: string,
): string {
  const { graph } = values;
  const table = layer.getWeights()[0] as tf.Tensor;
  const steps = graph.op('Gather', [
    graph.op('Shape', [values.inputIds]),
    graph.int64s(graph.name('sequence_axis'), [1], []),
  ]);
  const positions = graph.op('Range', [
    graph.int64s(graph.name('zero'), [0], []),
    steps,
    graph.int64s(graph.name('one'), [1], []),
  ]);
  const embeddings = graph.floats(`${layer.name}.embeddings`, floatsOf(table), table.shape);
  return graph.op('Add', [sequence, graph.op('Gather', [embeddings, positions])]);
}

/**
 * Exports MultiHeadSelfAttention: projections by MatMul and Add, heads split by Reshape and
 * Transpose, `softmax(QKᵀ / √headWidth + bias)` where bias is -MASKED_SCORE_PENALTY at padded
 * keys, the weighted values merged back and the output projection.
 */
export function exportMultiHeadSelfAttention(
  values: MaskValues,
  layer: tf.layers.Layer,
  sequence: string,
): string {
  const { graph } = values;
  const heads = layer.getConfig()['heads'] as number;
  const weights = layer.getWeights();
  const width = (weights[0] as tf.Tensor).shape[0] as number;
  const headWidth = width / heads;
  const project = (index: number, name: string, input: string): string => {
    const kernel = weights[2 * index] as tf.Tensor;
    const bias = weights[2 * index + 1] as tf.Tensor;
    return graph.op('Add', [
      graph.op('MatMul', [
        input,
        graph.floats(`${layer.name}.${name}_kernel`, floatsOf(kernel), kernel.shape),
      ]),
      graph.floats(`${layer.name}.${name}_bias`, floatsOf(bias), bias.shape),
    ]);
  };
  const splitShape = graph.int64s(graph.name('heads_shape'), [0, 0, heads, headWidth]);
  const split = (projected: string, perm: number[]): string =>
    graph.op('Transpose', [graph.op('Reshape', [projected, splitShape])], { perm });

  // [batch, heads, steps, headWidth], and the keys as [batch, heads, headWidth, steps].
  const query = split(project(0, 'query', sequence), [0, 2, 1, 3]);
  const key = split(project(1, 'key', sequence), [0, 2, 3, 1]);
  const value = split(project(2, 'value', sequence), [0, 2, 1, 3]);

  const scores = graph.op('Mul', [
    graph.op('MatMul', [query, key]),
    scalar(graph, 'attention_scale', 1 / Math.sqrt(headWidth)),
  ]);
  const attended = graph.op('MatMul', [
    graph.op('Softmax', [graph.op('Add', [scores, keyBias(values)])], { axis: -1 }),
    value,
  ]);
  const merged = graph.op('Reshape', [
    graph.op('Transpose', [attended], { perm: [0, 2, 1, 3] }),
    graph.int64s(graph.name('merged_shape'), [0, 0, width]),
  ]);
  return project(3, 'output', merged);
}

/** Builds the additive key mask `[batch, 1, 1, steps]`: 0 at tokens, -MASKED_SCORE_PENALTY at padding. */
function keyBias(values: MaskValues): string {
  const { graph } = values;
  const withHeadAxis = graph.op('Unsqueeze', [values.mask, graph.int64s(graph.name('axis'), [1])]);
  // [batch, 1, steps, 1] → [batch, 1, 1, steps]
  const keep = graph.op('Transpose', [withHeadAxis], { perm: [0, 1, 3, 2] });
  return graph.op('Mul', [
    graph.op('Sub', [keep, scalar(graph, 'one', 1)]),
    scalar(graph, 'score_penalty', MASKED_SCORE_PENALTY),
  ]);
}

function scalar(graph: GraphBuilder, name: string, value: number): string {
  return graph.floats(graph.name(name), new Float32Array([value]), []);
}

/** Copies the values of a float32 tensor. */
export function floatsOf(tensor: tf.Tensor): Float32Array {
  return Float32Array.from(tensor.dataSync() as Float32Array);
}
