import type { tf } from '../../runtimes/tfjs/backend.js';
import {
  exportLayerNormalization,
  exportMaskedConv1D,
  exportMaskedMaxPooling,
  exportMultiHeadSelfAttention,
  exportPositionEmbedding,
  floatsOf,
  type MaskValues,
} from './encoder-layers.js';
import { toFloat16Bits } from '../../util/float16.js';
import type { EmbeddingDtype } from '../classification/hyperparameters.js';
import { GraphBuilder } from './graph-builder.js';
import { recurrentLayer, type RecurrentExport } from './recurrent.js';

/** Names of the graph's inputs and output, as Hugging Face text classifiers name theirs. */
export const ONNX_CLASSIFIER_IO = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  probabilities: 'probabilities',
} as const;

/**
 * Exports a text classifier built by `buildClassifier` to ONNX. The graph takes `input_ids`
 * and `attention_mask` (int64, `[batch, sequence]`, padding at the end) and returns
 * `probabilities` (float32, `[batch, labels]`), the softmax that the tfjs model returns.
 * Dropout layers are left out, as at inference. Sequential and functional models both work:
 * the layers are visited in the model's topological order and each reads the values of the
 * layers that feed it.
 *
 * With `embeddingDtype` `float16` the Embedding table is stored as float16 and the rows it
 * gathers are cast to float32, so the graph computes with the table rounded to float16.
 *
 * @throws Error if the model contains a layer that this exporter does not support.
 */
export function exportClassifierToOnnx(
  model: tf.LayersModel,
  options: { embeddingDtype?: EmbeddingDtype } = {},
): Uint8Array {
  const graph = new GraphBuilder();
  const { inputIds, attentionMask, probabilities } = ONNX_CLASSIFIER_IO;
  graph.input(inputIds, 'int64', ['batch', 'sequence']);
  graph.input(attentionMask, 'int64', ['batch', 'sequence']);

  const lengths = graph.op('ReduceSum', [attentionMask, graph.int64s('axis_1', [1])], {
    keepdims: 0,
  });
  const context: SequenceContext = {
    graph,
    inputIds,
    embeddingDtype: options.embeddingDtype ?? 'float32',
    lengths,
    // [batch, sequence, 1] float mask for pooling.
    mask: graph.op('Unsqueeze', [
      graph.op('Cast', [attentionMask], { to: FLOAT }),
      graph.int64s('axis_2', [2]),
    ]),
  };

  const value = exportLayers(model, context);
  if (value?.kind !== 'vector') {
    throw new Error('the classifier must end in a Dense layer over a vector');
  }
  graph.node('Identity', [value.name], {}, [probabilities]);
  const labelCount = (model.outputs[0]?.shape.at(-1) as number | null) ?? 'labels';
  graph.output(probabilities, 'float32', ['batch', labelCount]);
  return graph.encode(model.name, { exported_from: 'tfjs-layers' });
}

/**
 * Exports every layer of `model` in topological order, each from the values of the layers
 * that feed it, and returns the value of the model's output.
 */
function exportLayers(model: tf.LayersModel, context: SequenceContext): Value | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error('the classifier must have one input of ids and one output');
  }
  const values = new Map<number, Value>([
    [(model.inputs[0] as tf.SymbolicTensor).id, { kind: 'ids', name: context.inputIds }],
  ]);
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1) {
      throw new Error(`${layer.name} must be applied exactly once to be exported`);
    }
    const node = layer.inboundNodes[0] as (typeof layer.inboundNodes)[number];
    const inputs = node.inputTensors.map((tensor) => {
      const value = values.get(tensor.id);
      if (value === undefined) throw new Error(`${layer.name} reads a value that comes later`);
      return value;
    });
    values.set(
      (node.outputTensors[0] as tf.SymbolicTensor).id,
      exportLayer(layer, inputs, context),
    );
  }
  return values.get((model.outputs[0] as tf.SymbolicTensor).id);
}

/** ONNX TensorProto data type of float32. */
const FLOAT = 1;

interface SequenceContext extends MaskValues {
  /** Real tokens per row, int64 `[batch]`. */
  lengths: string;
  embeddingDtype: EmbeddingDtype;
}

/**
 * A value between layers: `ids` is the `input_ids` input; `time-major` is
 * `[sequence, batch, width]`, the layout ONNX recurrent operators read and write;
 * `batch-major` is `[batch, sequence, width]`; `vector` is `[batch, width]`.
 */
type Value = { kind: 'ids' | 'time-major' | 'batch-major' | 'vector'; name: string };

function exportLayer(
  layer: tf.layers.Layer,
  inputs: readonly Value[],
  context: SequenceContext,
): Value {
  const { graph } = context;
  const className = layer.getClassName();
  const weights = layer.getWeights();
  const value = inputs[0];
  switch (className) {
    case 'Embedding': {
      if (value?.kind !== 'ids') throw new Error('Embedding must read the input ids');
      const table = weights[0] as tf.Tensor;
      const name = `${layer.name}.embeddings`;
      if (context.embeddingDtype === 'float16') {
        const embeddings = graph.halfs(name, toFloat16Bits(floatsOf(table)), table.shape);
        const rows = graph.op('Gather', [embeddings, value.name]);
        return { kind: 'batch-major', name: graph.op('Cast', [rows], { to: FLOAT }) };
      }
      const embeddings = graph.floats(name, floatsOf(table), table.shape);
      return { kind: 'batch-major', name: graph.op('Gather', [embeddings, value.name]) };
    }
    case 'Dropout':
      return requireValue(value, layer);
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN':
    case 'Bidirectional': {
      const input = toTimeMajor(graph, requireValue(value, layer));
      const exported: RecurrentExport = recurrentLayer(graph, layer, input, context.lengths);
      return exported.returnSequences
        ? { kind: 'time-major', name: exported.output }
        : { kind: 'vector', name: exported.output };
    }
    case 'MaskedMeanPooling': {
      const sequence = toBatchMajor(graph, requireValue(value, layer));
      const axis = graph.int64s(graph.name('axis'), [1]);
      const sum = graph.op('ReduceSum', [graph.op('Mul', [sequence, context.mask]), axis], {
        keepdims: 0,
      });
      const count = graph.op('Max', [
        graph.op('ReduceSum', [context.mask, axis], { keepdims: 0 }),
        graph.floats(graph.name('one'), new Float32Array([1]), []),
      ]);
      return { kind: 'vector', name: graph.op('Div', [sum, count]) };
    }
    case 'MaskedMaxPooling': {
      const sequence = toBatchMajor(graph, requireValue(value, layer));
      return { kind: 'vector', name: exportMaskedMaxPooling(context, sequence) };
    }
    case 'MaskedConv1D':
    case 'PositionEmbedding':
    case 'MultiHeadSelfAttention':
    case 'LayerNormalization':
      return { kind: 'batch-major', name: exportSequenceLayer(layer, value, context) };
    case 'ResidualAdd': {
      const sequences = inputs.map((input) => toBatchMajor(graph, input));
      const sum = sequences
        .slice(1)
        .reduce((left, right) => graph.op('Add', [left, right]), sequences[0] as string);
      return { kind: 'batch-major', name: sum };
    }
    case 'Concatenate': {
      const axis = layer.getConfig()['axis'];
      if (axis !== -1)
        throw new Error(`${layer.name}: only concatenation on the last axis is exported`);
      if (!inputs.every((input) => input.kind === 'vector')) {
        throw new Error(`${layer.name}: only concatenation of vectors is exported`);
      }
      return {
        kind: 'vector',
        name: graph.op(
          'Concat',
          inputs.map((input) => input.name),
          { axis: -1 },
        ),
      };
    }
    case 'Dense': {
      const input = requireValue(value, layer);
      if (input.kind === 'ids') throw new Error(`${layer.name} cannot read ids`);
      const kind = input.kind === 'vector' ? 'vector' : 'batch-major';
      const [kernel, bias] = weights as [tf.Tensor, tf.Tensor | undefined];
      let output = graph.op('MatMul', [
        kind === 'vector' ? input.name : toBatchMajor(graph, input),
        graph.floats(`${layer.name}.kernel`, floatsOf(kernel), kernel.shape),
      ]);
      if (bias !== undefined) {
        output = graph.op('Add', [
          output,
          graph.floats(`${layer.name}.bias`, floatsOf(bias), bias.shape),
        ]);
      }
      return { kind, name: activation(graph, layer, output) };
    }
    default:
      throw new Error(`ONNX export does not support the ${className} layer ${layer.name}`);
  }
}

/** Exports a layer that maps `[batch, sequence, width]` to the same layout. */
function exportSequenceLayer(
  layer: tf.layers.Layer,
  value: Value | undefined,
  context: SequenceContext,
): string {
  const sequence = toBatchMajor(context.graph, requireValue(value, layer));
  switch (layer.getClassName()) {
    case 'MaskedConv1D':
      return exportMaskedConv1D(context, layer, sequence);
    case 'PositionEmbedding':
      return exportPositionEmbedding(context, layer, sequence);
    case 'MultiHeadSelfAttention':
      return exportMultiHeadSelfAttention(context, layer, sequence);
    default:
      return exportLayerNormalization(context.graph, layer, sequence);
  }
}

function activation(graph: GraphBuilder, layer: tf.layers.Layer, input: string): string {
  const name = String(layer.getConfig()['activation'] ?? 'linear');
  switch (name) {
    case 'linear':
      return input;
    case 'softmax':
      return graph.op('Softmax', [input], { axis: -1 });
    case 'sigmoid':
      return graph.op('Sigmoid', [input]);
    case 'relu':
      return graph.op('Relu', [input]);
    case 'tanh':
      return graph.op('Tanh', [input]);
    default:
      throw new Error(`ONNX export does not support the ${name} activation of ${layer.name}`);
  }
}

function requireValue(value: Value | undefined, layer: tf.layers.Layer): Value {
  if (value === undefined) throw new Error(`${layer.name} needs an input layer before it`);
  return value;
}

function toTimeMajor(graph: GraphBuilder, value: Value): string {
  if (value.kind === 'time-major') return value.name;
  if (value.kind !== 'batch-major') throw new Error('a recurrent layer needs a sequence');
  return graph.op('Transpose', [value.name], { perm: [1, 0, 2] });
}

function toBatchMajor(graph: GraphBuilder, value: Value): string {
  if (value.kind === 'batch-major') return value.name;
  if (value.kind !== 'time-major') throw new Error('this layer needs a sequence of vectors');
  return graph.op('Transpose', [value.name], { perm: [1, 0, 2] });
}
