/** Runtimes that execute a version, as stored in the registry's `runtime` column. */
export const RUNTIMES = ['onnx', 'llama', 'tfjs'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** Token ids of a padded batch, row-major `[batchSize, sequenceLength]`. */
export interface EncodedBatch {
  ids: Int32Array;
  attentionMask: Int32Array;
  batchSize: number;
  sequenceLength: number;
  /**
   * Ids per token when each token is a row of features, as for a word tagger with character
   * features: `ids` is then `[batchSize, sequenceLength, featureWidth]`. Absent means 1.
   */
  featureWidth?: number;
  /**
   * 1 on the predicate token of each row and 0 elsewhere, `[batchSize, sequenceLength]`. Only a graph
   * with a `predicate_indicator` input, such as a semantic role tagger, reads it.
   */
  predicateIndicator?: Int32Array;
}

/** A loaded model graph that maps a batch of token ids to one score row per input. */
export interface LoadedGraph {
  readonly runtime: RuntimeName;
  /** Width of each output row, e.g. the number of labels of a classifier. */
  readonly outputSize: number;
  /** Returns `[batchSize, outputSize]` row-major scores. */
  run(batch: EncodedBatch): Promise<Float32Array>;
  dispose(): void;
}
