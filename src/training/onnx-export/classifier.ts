import type { tf } from '../../runtimes/tfjs/backend.js';
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
 * Dropout layers are left out, as at inference.
 *
 * @throws Error if the model contains a layer that this exporter does not support.
 */
export function exportClassifierToOnnx(model: tf.LayersModel): Uint8Array {
  const graph = new GraphBuilder();
  const { inputIds, attentionMask, probabilities } = ONNX_CLASSIFIER_IO;
  graph.input(inputIds, 'int64', ['batch', 'sequence']);
  graph.input(attentionMask, 'int64', ['batch', 'sequence']);

  const lengths = graph.op('ReduceSum', [attentionMask, graph.int64s('axis_1', [1])], {
    keepdims: 0,
  });
  const context: SequenceContext = {
    graph,
    lengths,
    // [batch, sequence, 1] float mask for pooling.
    mask: graph.op('Unsqueeze', [
      graph.op('Cast', [attentionMask], { to: FLOAT }),
      graph.int64s('axis_2', [2]),
    ]),
  };

  let value: Value | undefined;
  for (const layer of model.layers) {
    value = exportLayer(layer, value, context, inputIds);
  }
  if (value?.kind !== 'vector') {
    throw new Error('the classifier must end in a Dense layer over a vector');
  }
  graph.node('Identity', [value.name], {}, [probabilities]);
  const labelCount = (model.outputs[0]?.shape.at(-1) as number | null) ?? 'labels';
  graph.output(probabilities, 'float32', ['batch', labelCount]);
  return graph.encode(model.name, { exported_from: 'tfjs-layers' });
}

/** ONNX TensorProto data type of float32. */
const FLOAT = 1;

interface SequenceContext {
  graph: GraphBuilder;
  /** Real tokens per row, int64 `[batch]`. */
  lengths: string;
  mask: string;
}

/**
 * A value between layers: `time-major` is `[sequence, batch, width]`, the layout ONNX
 * recurrent operators read and write; `batch-major` is `[batch, sequence, width]`; `vector` is
 * `[batch, width]`.
 */
type Value = { kind: 'time-major' | 'batch-major' | 'vector'; name: string };

function exportLayer(
  layer: tf.layers.Layer,
  value: Value | undefined,
  context: SequenceContext,
  inputIds: string,
): Value {
  const { graph } = context;
  const className = layer.getClassName();
  const weights = layer.getWeights();
  switch (className) {
    case 'Embedding': {
      if (value !== undefined) throw new Error('Embedding must be the first layer');
      const table = weights[0] as tf.Tensor;
      const embeddings = graph.floats(`${layer.name}.embeddings`, floatsOf(table), table.shape);
      return { kind: 'batch-major', name: graph.op('Gather', [embeddings, inputIds]) };
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
    case 'Dense': {
      const input = requireValue(value, layer);
      if (input.kind !== 'vector') throw new Error(`${layer.name} must follow a vector`);
      const [kernel, bias] = weights as [tf.Tensor, tf.Tensor | undefined];
      let output = graph.op('MatMul', [
        input.name,
        graph.floats(`${layer.name}.kernel`, floatsOf(kernel), kernel.shape),
      ]);
      if (bias !== undefined) {
        output = graph.op('Add', [
          output,
          graph.floats(`${layer.name}.bias`, floatsOf(bias), bias.shape),
        ]);
      }
      return { kind: 'vector', name: activation(graph, layer, output) };
    }
    default:
      throw new Error(`ONNX export does not support the ${className} layer ${layer.name}`);
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
  if (value.kind === 'vector') throw new Error('a recurrent layer needs a sequence');
  return graph.op('Transpose', [value.name], { perm: [1, 0, 2] });
}

function toBatchMajor(graph: GraphBuilder, value: Value): string {
  if (value.kind === 'batch-major') return value.name;
  if (value.kind === 'vector') throw new Error('pooling needs a sequence');
  return graph.op('Transpose', [value.name], { perm: [1, 0, 2] });
}

/** Copies the values of a float32 tensor. */
export function floatsOf(tensor: tf.Tensor): Float32Array {
  return Float32Array.from(tensor.dataSync() as Float32Array);
}
