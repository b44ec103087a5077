import type { tf } from '../../runtimes/tfjs/backend.js';
import { floatsOf } from './encoder-layers.js';
import { GraphBuilder } from './graph-builder.js';
import { recurrentLayer } from './recurrent.js';
import { taggerInputShape, wordFeatureEmbedding } from './word-features.js';

/** Names of the tagger graph's inputs and output. */
export const ONNX_TAGGER_IO = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  scores: 'scores',
} as const;

/**
 * Exports a tagger built by `buildTagger` to ONNX. The graph takes `input_ids` and
 * `attention_mask` (int64, `[batch, sequence]`, padding at the end; `input_ids` is
 * `[batch, sequence, features]` for a word tagger with character features) and returns `scores`
 * (float32, `[batch, sequence, tags]`): tag probabilities for a softmax tagger, emission
 * scores for a CRF tagger. Rows of padded steps are meaningless.
 *
 * @throws Error if the model is not Embedding or WordFeatureEmbedding → Bidirectional or
 * LSTM → Dropout → Dense.
 */
export function exportTaggerToOnnx(model: tf.LayersModel): Uint8Array {
  const graph = new GraphBuilder();
  const { inputIds, attentionMask, scores } = ONNX_TAGGER_IO;
  graph.input(inputIds, 'int64', taggerInputShape(model));
  graph.input(attentionMask, 'int64', ['batch', 'sequence']);
  const lengths = graph.op('ReduceSum', [attentionMask, graph.int64s('axis_1', [1])], {
    keepdims: 0,
  });

  // Time-major `[sequence, batch, width]` from the recurrent layer on.
  let value: string | undefined;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const weights = layer.getWeights();
    if (className === 'Embedding') {
      const table = weights[0] as tf.Tensor;
      const embeddings = graph.floats(`${layer.name}.embeddings`, floatsOf(table), table.shape);
      const batchMajor = graph.op('Gather', [embeddings, inputIds]);
      value = graph.op('Transpose', [batchMajor], { perm: [1, 0, 2] });
    } else if (className === 'WordFeatureEmbedding') {
      const batchMajor = wordFeatureEmbedding(graph, layer, inputIds);
      value = graph.op('Transpose', [batchMajor], { perm: [1, 0, 2] });
    } else if (className === 'Bidirectional' || className === 'LSTM') {
      const exported = recurrentLayer(graph, layer, requireInput(value, layer), lengths);
      if (!exported.returnSequences) throw new Error(`${layer.name} must return sequences`);
      value = exported.output;
    } else if (className === 'Dropout') {
      requireInput(value, layer);
    } else if (className === 'Dense') {
      const [kernel, bias] = weights as [tf.Tensor, tf.Tensor | undefined];
      value = graph.op('MatMul', [
        requireInput(value, layer),
        graph.floats(`${layer.name}.kernel`, floatsOf(kernel), kernel.shape),
      ]);
      if (bias !== undefined) {
        value = graph.op('Add', [
          value,
          graph.floats(`${layer.name}.bias`, floatsOf(bias), bias.shape),
        ]);
      }
      const activation = String(layer.getConfig()['activation'] ?? 'linear');
      if (activation === 'softmax') value = graph.op('Softmax', [value], { axis: -1 });
      else if (activation !== 'linear') {
        throw new Error(
          `ONNX export does not support the ${activation} activation of ${layer.name}`,
        );
      }
    } else {
      throw new Error(`ONNX tagger export does not support the ${className} layer ${layer.name}`);
    }
  }
  graph.node('Transpose', [requireInput(value, model)], { perm: [1, 0, 2] }, [scores]);
  const tagCount = (model.outputs[0]?.shape.at(-1) as number | null) ?? 'tags';
  graph.output(scores, 'float32', ['batch', 'sequence', tagCount]);
  return graph.encode(model.name, { exported_from: 'tfjs-layers' });
}

function requireInput(value: string | undefined, layer: { name: string }): string {
  if (value === undefined) throw new Error(`${layer.name} needs an Embedding layer before it`);
  return value;
}
