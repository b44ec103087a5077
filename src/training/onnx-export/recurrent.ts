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

/** Mapping of one tfjs cell to an ONNX recurrent operator. */
interface CellKind {
  op: 'LSTM' | 'GRU' | 'RNN';
  gates: number;
  /** For each ONNX gate block, the tfjs gate block it comes from. */
  gateSources: number[];
  /** Activation functions of one direction, from the cell's recurrent and main activations. */
  activations: (recurrent: string, main: string) => string[];
  attributes: Record<string, number>;
}

/**
 * tfjs LSTM gates are `i f c o` and ONNX LSTM gates `i o f c`. GRU gates are `z r h` in both,
 * and tfjs computes GRU with the reset gate before the recurrent product, which is ONNX's
 * `linear_before_reset = 0`.
 */
const CELLS: Record<string, CellKind> = {
  LSTM: {
    op: 'LSTM',
    gates: 4,
    gateSources: [0, 3, 1, 2],
    activations: (recurrent, main) => [recurrent, main, main],
    attributes: {},
  },
  GRU: {
    op: 'GRU',
    gates: 3,
    gateSources: [0, 1, 2],
    activations: (recurrent, main) => [recurrent, main],
    attributes: { linear_before_reset: 0 },
  },
  SimpleRNN: {
    op: 'RNN',
    gates: 1,
    gateSources: [0],
    activations: (_recurrent, main) => [main],
    attributes: {},
  },
};

interface CellConfig {
  className: string;
  units: number;
  activation: string;
  recurrentActivation: string;
  useBias: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
}

/**
 * Exports an LSTM, GRU or SimpleRNN layer, or a Bidirectional wrapper around one with
 * `concat` merging, as one ONNX LSTM, GRU or RNN node over `input` (`[sequence, batch, width]`).
 *
 * tfjs and ONNX differ in three ways that this handles. Gate order differs for LSTM (see
 * {@link CELLS}). tfjs has one bias and ONNX an input and a recurrent bias, the second zero
 * here. tfjs skips masked steps while ONNX stops at `sequence_lens`, which matches because
 * padding is at the end. ONNX Runtime rejects a length of 0, so an empty row runs one
 * step and its output is zeroed, as tfjs returns the zero initial state for it.
 */
export function recurrentLayer(
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
  const config = cellConfig(directions[0] as tf.layers.Layer);
  const cell = CELLS[config.className] as CellKind;
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
    w.push(gatesToOnnx(kernel.dataSync() as Float32Array, inputWidth, hidden, cell));
    r.push(gatesToOnnx(recurrent.dataSync() as Float32Array, hidden, hidden, cell));
    const inputBias = new Float32Array(2 * cell.gates * hidden);
    if (bias !== undefined) {
      inputBias.set(reorderGates(bias.dataSync() as Float32Array, 1, hidden, cell));
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
  const perStep = cell
    .activations(config.recurrentActivation, config.activation)
    .map((name) => ACTIVATIONS[name] as (typeof ACTIVATIONS)[string]);
  const all = Array.from({ length: count }, () => perStep).flat();
  const alphas = all.filter((a) => a.alpha !== undefined).map((a) => a.alpha as number);
  const betas = all.filter((a) => a.beta !== undefined).map((a) => a.beta as number);

  const atLeastOne = graph.op('Max', [lengths, graph.int64s(graph.name('one'), [1], [])]);
  const sequenceLens = graph.op('Cast', [atLeastOne], { to: INT32 });
  const [sequence, last] = [graph.name(`${prefix}.Y`), graph.name(`${prefix}.Y_h`)];
  const gateRows = cell.gates * hidden;
  graph.node(
    cell.op,
    [
      input,
      graph.floats(`${prefix}.W`, concat(w), [count, gateRows, inputWidth]),
      graph.floats(`${prefix}.R`, concat(r), [count, gateRows, hidden]),
      graph.floats(`${prefix}.B`, concat(b), [count, 2 * gateRows]),
      sequenceLens,
    ],
    {
      ...cell.attributes,
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

function cellConfig(layer: tf.layers.Layer): CellConfig {
  const config = layer.getConfig() as Record<string, unknown>;
  const className = layer.getClassName();
  if (CELLS[className] === undefined) {
    throw new Error(
      `${layer.name}: only LSTM, GRU and SimpleRNN cells are exported, got ${className}`,
    );
  }
  return {
    className,
    units: config['units'] as number,
    activation: String(config['activation']),
    // SimpleRNN has no recurrent activation.
    recurrentActivation: String(config['recurrentActivation'] ?? config['activation']),
    useBias: config['useBias'] !== false,
    returnSequences: config['returnSequences'] === true,
    goBackwards: config['goBackwards'] === true,
  };
}

/**
 * Converts a tfjs kernel `[rows, gates * hidden]` to an ONNX weight `[gates * hidden, rows]`
 * with the gates in ONNX order.
 */
function gatesToOnnx(
  kernel: Float32Array,
  rows: number,
  hidden: number,
  cell: CellKind,
): Float32Array {
  const reordered = reorderGates(kernel, rows, hidden, cell);
  const width = cell.gates * hidden;
  const out = new Float32Array(width * rows);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < width; column++) {
      out[column * rows + row] = reordered[row * width + column] as number;
    }
  }
  return out;
}

/** Reorders the gate blocks of each row of `gates * hidden` values from tfjs to ONNX order. */
function reorderGates(
  values: Float32Array,
  rows: number,
  hidden: number,
  cell: CellKind,
): Float32Array {
  const out = new Float32Array(values.length);
  for (let row = 0; row < rows; row++) {
    const base = row * cell.gates * hidden;
    cell.gateSources.forEach((source, target) => {
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
