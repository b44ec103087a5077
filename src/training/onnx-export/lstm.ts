import type { tf } from '../../runtimes/tfjs/backend.js';
import type { GraphBuilder } from './graph-builder.js';

/** Output of an exported recurrent layer. */
export interface RecurrentExport {
  /** `[sequence, batch, width]` if `returnSequences`, else `[batch, width]`. */
  output: string;
  returnSequences: boolean;
}

/** ONNX TensorProto data types used here. */
const FLOAT = 1;
const INT32 = 6;

/**
 * ONNX LSTM activation names, with the alpha and beta that reproduce tfjs. tfjs's hard
 * sigmoid is `clip(0.2 x + 0.5, 0, 1)`, ONNX HardSigmoid with alpha 0.2 and beta 0.5.
 */
const ACTIVATIONS: Record<string, { name: string; alpha?: number; beta?: number }> = {
  hardSigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  hard_sigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  sigmoid: { name: 'Sigmoid' },
  tanh: { name: 'Tanh' },
};

interface LstmConfig {
  units: number;
  activation: string;
  recurrentActivation: string;
  useBias: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
}

/**
 * Exports an LSTM layer, or a Bidirectional wrapper around one with `concat` merging, as one
 * ONNX LSTM node over `input` (`[sequence, batch, width]`).
 *
 * tfjs and ONNX differ in three ways that this handles. tfjs orders the gates `i f c o` and
 * ONNX `i o f c`. tfjs has one bias and ONNX an input and a recurrent bias, the second zero
 * here. tfjs skips masked steps while ONNX stops at `sequence_lens`, which matches because
 * padding is at the end. ONNX Runtime rejects a length of 0, so an empty row runs one
 * step and its output is zeroed, as tfjs returns the zero initial state for it.
 */
export function lstmLayer(
  graph: GraphBuilder,
  layer: tf.layers.Layer,
  input: string,
  lengths: string,
): RecurrentExport {
  const bidirectional = layer.getClassName() === 'Bidirectional';
  const directions = bidirectional
    ? [
        (layer as unknown as { forwardLayer: tf.layers.Layer }).forwardLayer,
        (layer as unknown as { backwardLayer: tf.layers.Layer }).backwardLayer,
      ]
    : [layer];
  if (bidirectional && layer.getConfig()['mergeMode'] !== 'concat') {
    throw new Error(`${layer.name}: only the concat merge mode is exported`);
  }
  const config = lstmConfig(directions[0] as tf.layers.Layer);
  if (config.goBackwards) throw new Error(`${layer.name}: go_backwards is not exported`);

  const weights = layer.getWeights();
  const perDirection = config.useBias ? 3 : 2;
  const hidden = config.units;
  const w: Float32Array[] = [];
  const r: Float32Array[] = [];
  const b: Float32Array[] = [];
  let inputWidth = 0;
  directions.forEach((_, index) => {
    const [kernel, recurrent, bias] = weights.slice(
      index * perDirection,
      (index + 1) * perDirection,
    ) as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    inputWidth = kernel.shape[0] as number;
    w.push(gatesToOnnx(kernel.dataSync() as Float32Array, inputWidth, hidden));
    r.push(gatesToOnnx(recurrent.dataSync() as Float32Array, hidden, hidden));
    const inputBias = new Float32Array(8 * hidden);
    if (bias !== undefined) {
      inputBias.set(reorderGates(bias.dataSync() as Float32Array, 1, hidden));
    }
    b.push(inputBias);
  });

  const count = directions.length;
  const prefix = layer.name;
  const activation = ACTIVATIONS[config.activation];
  const recurrentActivation = ACTIVATIONS[config.recurrentActivation];
  if (activation === undefined || recurrentActivation === undefined) {
    throw new Error(
      `${layer.name}: activations ${config.recurrentActivation}/${config.activation} are not exported`,
    );
  }
  const perStep = [recurrentActivation, activation, activation];
  const all = Array.from({ length: count }, () => perStep).flat();
  const alphas = all.filter((a) => a.alpha !== undefined).map((a) => a.alpha as number);
  const betas = all.filter((a) => a.beta !== undefined).map((a) => a.beta as number);

  const atLeastOne = graph.op('Max', [lengths, graph.int64s(graph.name('one'), [1], [])]);
  const sequenceLens = graph.op('Cast', [atLeastOne], { to: INT32 });
  const [sequence, last] = [graph.name(`${prefix}.Y`), graph.name(`${prefix}.Y_h`)];
  graph.node(
    'LSTM',
    [
      input,
      graph.floats(`${prefix}.W`, concat(w), [count, 4 * hidden, inputWidth]),
      graph.floats(`${prefix}.R`, concat(r), [count, 4 * hidden, hidden]),
      graph.floats(`${prefix}.B`, concat(b), [count, 8 * hidden]),
      sequenceLens,
    ],
    {
      hidden_size: hidden,
      direction: count === 2 ? 'bidirectional' : 'forward',
      activations: all.map((a) => a.name),
      ...(alphas.length > 0 ? { activation_alpha: { floats: alphas } } : {}),
      ...(betas.length > 0 ? { activation_beta: { floats: betas } } : {}),
    },
    [sequence, last],
  );

  if (config.returnSequences) {
    // Y is [sequence, directions, batch, hidden]; concat the directions per step.
    const stepMajor = graph.op('Transpose', [sequence], { perm: [0, 2, 1, 3] });
    const output = graph.op('Reshape', [stepMajor, graph.int64s(graph.name('shape'), [0, 0, -1])]);
    return { output, returnSequences: true };
  }
  // Y_h is [directions, batch, hidden].
  const batchMajor = graph.op('Transpose', [last], { perm: [1, 0, 2] });
  const state = graph.op('Reshape', [batchMajor, graph.int64s(graph.name('shape'), [0, -1])]);
  const nonEmpty = graph.op(
    'Cast',
    [graph.op('Greater', [lengths, graph.int64s(graph.name('zero'), [0], [])])],
    { to: FLOAT },
  );
  const rowScale = graph.op('Unsqueeze', [nonEmpty, graph.int64s(graph.name('axis'), [1])]);
  return { output: graph.op('Mul', [state, rowScale]), returnSequences: false };
}

function lstmConfig(layer: tf.layers.Layer): LstmConfig {
  const config = layer.getConfig() as Record<string, unknown>;
  if (layer.getClassName() !== 'LSTM') {
    throw new Error(`${layer.name}: only LSTM cells are exported, got ${layer.getClassName()}`);
  }
  return {
    units: config['units'] as number,
    activation: String(config['activation']),
    recurrentActivation: String(config['recurrentActivation']),
    useBias: config['useBias'] !== false,
    returnSequences: config['returnSequences'] === true,
    goBackwards: config['goBackwards'] === true,
  };
}

/**
 * Converts a tfjs kernel `[rows, 4 * hidden]` with gates `i f c o` to an ONNX weight
 * `[4 * hidden, rows]` with gates `i o f c`.
 */
function gatesToOnnx(kernel: Float32Array, rows: number, hidden: number): Float32Array {
  const reordered = reorderGates(kernel, rows, hidden);
  const out = new Float32Array(4 * hidden * rows);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < 4 * hidden; column++) {
      out[column * rows + row] = reordered[row * 4 * hidden + column] as number;
    }
  }
  return out;
}

/** TFJS gate blocks `i f c o` → ONNX `i o f c`, per row of `4 * hidden` values. */
const ONNX_GATE_SOURCES = [0, 3, 1, 2];

function reorderGates(values: Float32Array, rows: number, hidden: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let row = 0; row < rows; row++) {
    const base = row * 4 * hidden;
    ONNX_GATE_SOURCES.forEach((source, target) => {
      out.set(
        values.subarray(base + source * hidden, base + (source + 1) * hidden),
        base + target * hidden,
      );
    });
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
