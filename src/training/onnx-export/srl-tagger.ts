import type { tf } from '../../runtimes/tfjs/backend.js';
import { SRL_LAYER_NAMES } from '../srl/model.js';
import { floatsOf } from './encoder-layers.js';
import { GraphBuilder } from './graph-builder.js';
import { recurrentLayer } from './recurrent.js';

/** Names of the role tagger graph's inputs and output. */
export const ONNX_SRL_IO = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  predicateIndicator: 'predicate_indicator',
  scores: 'scores',
} as const;

/**
 * Exports a tagger built by `buildSrlTagger` to ONNX. The graph takes `input_ids`,
 * `attention_mask` and `predicate_indicator` (1 on the predicate token, 0 elsewhere), all int64
 * `[batch, sequence]` with padding at the end, and returns `scores` (float32,
 * `[batch, sequence, roles]`), the role probabilities of each token. Rows of padded steps are
 * meaningless.
 *
 * @throws Error if a layer of the model is not one `buildSrlTagger` adds.
 */
export function exportSrlTaggerToOnnx(model: tf.LayersModel): Uint8Array {
  const graph = new GraphBuilder();
  const { inputIds, attentionMask, predicateIndicator, scores } = ONNX_SRL_IO;
  graph.input(inputIds, 'int64', ['batch', 'sequence']);
  graph.input(attentionMask, 'int64', ['batch', 'sequence']);
  graph.input(predicateIndicator, 'int64', ['batch', 'sequence']);
  const lengths = graph.op('ReduceSum', [attentionMask, graph.int64s('axis_1', [1])], {
    keepdims: 0,
  });

  const wordTable = model.getLayer(SRL_LAYER_NAMES.wordEmbedding).getWeights()[0] as tf.Tensor;
  const words = graph.op('Gather', [
    graph.floats(
      `${SRL_LAYER_NAMES.wordEmbedding}.embeddings`,
      floatsOf(wordTable),
      wordTable.shape,
    ),
    inputIds,
  ]);
  // The tfjs table has a padding row 0 before the rows of indicator 0 and 1; padded steps
  // of the graph are cut off by the sequence lengths instead, so the graph keeps rows 1 and 2.
  const predicateTable = model
    .getLayer(SRL_LAYER_NAMES.predicateEmbedding)
    .getWeights()[0] as tf.Tensor;
  const [rows, width] = predicateTable.shape as [number, number];
  const predicate = graph.op('Gather', [
    graph.floats(
      `${SRL_LAYER_NAMES.predicateEmbedding}.embeddings`,
      floatsOf(predicateTable).slice(width),
      [rows - 1, width],
    ),
    predicateIndicator,
  ]);
  const joined = graph.op('Concat', [words, predicate], { axis: -1 });
  // Time-major `[sequence, batch, width]` through the recurrent layers.
  let value = graph.op('Transpose', [joined], { perm: [1, 0, 2] });

  const handled = new Set<string>([
    SRL_LAYER_NAMES.wordEmbedding,
    SRL_LAYER_NAMES.predicateEmbedding,
    SRL_LAYER_NAMES.concatenate,
  ]);
  let tagCount: number | undefined;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer' || handled.has(layer.name)) continue;
    if (className === 'Bidirectional') {
      const exported = recurrentLayer(graph, layer, value, lengths);
      if (!exported.returnSequences) throw new Error(`${layer.name} must return sequences`);
      value = exported.output;
    } else if (className === 'Dropout') {
      continue;
    } else if (className === 'Dense' && layer.name === SRL_LAYER_NAMES.emissions) {
      const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
      tagCount = kernel.shape[1] as number;
      value = graph.op('MatMul', [
        value,
        graph.floats(`${layer.name}.kernel`, floatsOf(kernel), kernel.shape),
      ]);
      value = graph.op('Add', [
        value,
        graph.floats(`${layer.name}.bias`, floatsOf(bias), bias.shape),
      ]);
      value = graph.op('Softmax', [value], { axis: -1 });
    } else {
      throw new Error(
        `ONNX role tagger export does not support the ${className} layer ${layer.name}`,
      );
    }
  }
  if (tagCount === undefined)
    throw new Error(`${model.name} has no ${SRL_LAYER_NAMES.emissions} layer`);
  graph.node('Transpose', [value], { perm: [1, 0, 2] }, [scores]);
  graph.output(scores, 'float32', ['batch', 'sequence', tagCount]);
  return graph.encode(model.name, { exported_from: 'tfjs-layers' });
}
