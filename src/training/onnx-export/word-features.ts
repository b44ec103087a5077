import type { tf } from '../../runtimes/tfjs/backend.js';
import { WordFeatureEmbedding } from '../tagging/word-feature-layer.js';
import { WORD_FEATURE_PREFIX } from '../tagging/word-features.js';
import { floatsOf } from './encoder-layers.js';
import type { Dimension, GraphBuilder } from './graph-builder.js';

/**
 * Returns the shape of a tagger's `input_ids`: `[batch, sequence]`, or
 * `[batch, sequence, features]` when its first layer is a {@link WordFeatureEmbedding}.
 */
export function taggerInputShape(model: tf.LayersModel): Dimension[] {
  const first = model.layers[0];
  if (first?.getClassName() !== WordFeatureEmbedding.className) return ['batch', 'sequence'];
  const width = model.inputs[0]?.shape[2];
  if (typeof width !== 'number') throw new Error(`${first.name} needs a fixed feature width`);
  return ['batch', 'sequence', width];
}

/**
 * Adds the nodes of a {@link WordFeatureEmbedding} that reads `inputIds`
 * (`[batch, sequence, features]`, int64) and returns the name of its batch-major output
 * `[batch, sequence, width]`: word, mean n-gram and shape embeddings, concatenated.
 */
export function wordFeatureEmbedding(
  graph: GraphBuilder,
  layer: tf.layers.Layer,
  inputIds: string,
): string {
  const [words, ngrams, shapes] = layer.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor];
  const table = (name: string, weights: tf.Tensor): string =>
    graph.floats(`${layer.name}.${name}`, floatsOf(weights), weights.shape);
  const column = (index: number): string =>
    graph.op('Gather', [inputIds, graph.int64s(graph.name('column'), [index], [])], { axis: 2 });

  const wordVectors = graph.op('Gather', [table('word_embeddings', words), column(0)]);
  const shapeVectors = graph.op('Gather', [table('shape_embeddings', shapes), column(1)]);

  const ngramIds = graph.op('Slice', [
    inputIds,
    graph.int64s(graph.name('ngram_start'), [WORD_FEATURE_PREFIX]),
    graph.int64s(graph.name('ngram_end'), [Number.MAX_SAFE_INTEGER]),
    graph.int64s(graph.name('ngram_axis'), [2]),
  ]);
  const zero = graph.int64s(graph.name('zero'), [0], []);
  const ngramMask = graph.op('Cast', [graph.op('Greater', [ngramIds, zero])], { to: 1 });
  const ngramVectors = graph.op('Gather', [table('ngram_embeddings', ngrams), ngramIds]);
  const masked = graph.op('Mul', [
    ngramVectors,
    graph.op('Unsqueeze', [ngramMask, graph.int64s(graph.name('last_axis'), [3])]),
  ]);
  const axis2 = graph.int64s(graph.name('axis_2'), [2]);
  const sums = graph.op('ReduceSum', [masked, axis2], { keepdims: 0 });
  const counts = graph.op('Max', [
    graph.op('ReduceSum', [ngramMask, axis2], { keepdims: 1 }),
    graph.floats(graph.name('one'), new Float32Array([1]), []),
  ]);
  const means = graph.op('Div', [sums, counts]);
  return graph.op('Concat', [wordVectors, means, shapeVectors], { axis: -1 });
}
