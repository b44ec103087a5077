import type { TextClassificationPipeline } from '../tasks/text-classification.js';
import type { Encoding } from '../text/index.js';
import type { TokenClassificationPipeline } from '../tasks/token-classification.js';
import type { SemanticRoleLabelingPipeline, SrlEncoding } from '../tasks/semantic-role-labeling.js';
import type { HuggingFaceServing } from './hf-serving.js';
import type { EmbeddingServing, GenerationServing } from './llama-serving.js';
import type { BatchScheduler, SchedulerStats } from './scheduler/index.js';

/** Fields of every version loaded into memory. */
export interface LoadedModelBase {
  readonly name: string;
  readonly version: number;
  readonly task: string;
  /** `name@version`. */
  readonly reference: string;
  /** Size of the version's files, the pool's estimate of its memory. */
  readonly sizeBytes: number;
}

/** A model trained here, with its pipeline and the scheduler in front of its graph. */
export interface InHouseModel extends LoadedModelBase {
  readonly kind: 'in-house';
  readonly pipeline: TextClassificationPipeline;
  readonly scheduler: BatchScheduler<Encoding, Float32Array>;
}

/** A token classifier (tagger) trained here, with the scheduler in front of its graph. */
export interface InHouseTaggerModel extends LoadedModelBase {
  readonly kind: 'in-house-tagger';
  readonly pipeline: TokenClassificationPipeline;
  /** Queues windows of token ids; an input longer than the model's window has several. */
  readonly scheduler: BatchScheduler<Encoding, Float32Array>;
}

/** A semantic role tagger trained here, with the scheduler in front of its graph. */
export interface InHouseSrlModel extends LoadedModelBase {
  readonly kind: 'in-house-srl';
  readonly pipeline: SemanticRoleLabelingPipeline;
  /** Queues one window of word ids and predicate indicator per predicate. */
  readonly scheduler: BatchScheduler<SrlEncoding, Float32Array>;
}

/** A Hugging Face model folder, run through @huggingface/transformers. */
export interface HuggingFaceModel extends LoadedModelBase {
  readonly kind: 'huggingface';
  readonly serving: HuggingFaceServing;
}

/** A GGUF generative model, run through node-llama-cpp. */
export interface LlamaGenerationModel extends LoadedModelBase {
  readonly kind: 'llama-generation';
  readonly serving: GenerationServing;
}

/** A GGUF embedding model, run through node-llama-cpp. */
export interface LlamaEmbeddingModel extends LoadedModelBase {
  readonly kind: 'llama-embedding';
  readonly serving: EmbeddingServing;
}

/** Description of each kind of loaded model, for messages. */
export const DESCRIPTIONS: Record<LoadedModel['kind'], string> = {
  'in-house': 'text classifier trained here',
  'in-house-tagger': 'token classifier trained here',
  'in-house-srl': 'semantic role tagger trained here',
  huggingface: 'Hugging Face model folder',
  'llama-generation': 'GGUF text-generation model',
  'llama-embedding': 'GGUF embedding model',
};

/** A version loaded into memory. */
export type LoadedModel =
  | InHouseModel
  | InHouseTaggerModel
  | InHouseSrlModel
  | HuggingFaceModel
  | LlamaGenerationModel
  | LlamaEmbeddingModel;

/** Returns the queue statistics of a loaded model of either kind. */
export function statsOf(model: LoadedModel): SchedulerStats {
  return isInHouse(model) ? model.scheduler.stats() : model.serving.stats();
}

/** Returns whether a model was trained here, so a scheduler of this package queues its inputs. */
export function isInHouse(
  model: LoadedModel,
): model is InHouseModel | InHouseTaggerModel | InHouseSrlModel {
  return (
    model.kind === 'in-house' || model.kind === 'in-house-tagger' || model.kind === 'in-house-srl'
  );
}

/** Returns whether a loaded model finished a batch within `staleMs` when it has queued work. */
export function isHealthy(model: LoadedModel, now: number, staleMs: number): boolean {
  return isInHouse(model)
    ? model.scheduler.isHealthy(now, staleMs)
    : model.serving.isHealthy(now, staleMs);
}
