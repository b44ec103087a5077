import type { RawParameters } from './parameters.js';

/** Tasks a Hugging Face model folder can be served for, named as Hugging Face names them. */
export const HF_TASKS = [
  'text-classification',
  'token-classification',
  'feature-extraction',
  'fill-mask',
  'zero-shot-classification',
] as const;

export type HfTask = (typeof HF_TASKS)[number];

export function isHfTask(value: string): value is HfTask {
  return (HF_TASKS as readonly string[]).includes(value);
}

/** One label with its probability, as the Hugging Face Inference API returns it. */
export interface LabelScore {
  label: string;
  score: number;
}

/** One token of `aggregation_strategy: "none"`, with offsets into the original input. */
export interface TokenEntity {
  entity: string;
  score: number;
  /** Position of the token in the encoded input, counting `[CLS]` as 0. */
  index: number;
  /** The original text of the token, `input.slice(start, end)`. */
  word: string;
  start: number;
  end: number;
}

/** Tokens or words merged into one entity by an aggregation strategy other than `none`. */
export interface EntityGroup {
  /** The label without its `B-`/`I-` prefix. */
  entity_group: string;
  score: number;
  /** The original text of the entity, `input.slice(start, end)`. */
  word: string;
  start: number;
  end: number;
}

/** One vector per input, or one vector per token for `pooling: "none"`. */
export type FeatureVector = number[] | number[][];

export interface FillMaskPrediction {
  score: number;
  token: number;
  token_str: string;
  sequence: string;
}

export interface ZeroShotResult {
  sequence: string;
  labels: string[];
  scores: number[];
}

/** The output for one input, per task. */
export interface HfTaskOutputs {
  'text-classification': LabelScore[];
  'token-classification': TokenEntity[] | EntityGroup[];
  'feature-extraction': FeatureVector;
  'fill-mask': FillMaskPrediction[];
  'zero-shot-classification': ZeroShotResult;
}

/** A Hugging Face model folder loaded for one task. */
export interface HuggingFaceTaskModel<T extends HfTask = HfTask> {
  readonly task: T;
  /** Labels in id order for text and token classification; undefined for other tasks. */
  readonly labels: readonly string[] | undefined;
  /**
   * Runs `inputs` as one padded batch and returns one output per input, in order.
   * `parameters` uses the Hugging Face names (`top_k`, `aggregation_strategy`, ...).
   *
   * @throws MaasError `MAAS_ERR_REQUEST_INVALID` with `param` set for an invalid input or
   *   parameter.
   */
  predict(inputs: readonly string[], parameters?: RawParameters): Promise<HfTaskOutputs[T][]>;
  /** Number of tokens each input encodes to, special tokens included, before truncation. */
  countTokens(inputs: readonly string[]): number[];
  dispose(): Promise<void>;
}

/** A loaded model of any task; narrow it by `task`. */
export type AnyHuggingFaceTaskModel = {
  [T in HfTask]: HuggingFaceTaskModel<T>;
}[HfTask];
