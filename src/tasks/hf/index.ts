export { loadHuggingFaceTask, type LoadHuggingFaceTaskOptions } from './loader.js';
export {
  HF_TASKS,
  isHfTask,
  type AnyHuggingFaceTaskModel,
  type EntityGroup,
  type FeatureVector,
  type FillMaskPrediction,
  type HfTask,
  type HfTaskOutputs,
  type HuggingFaceTaskModel,
  type LabelScore,
  type TokenEntity,
  type ZeroShotResult,
} from './types.js';
export { REQUIRED_FILES } from './model-folder.js';
export { AGGREGATION_STRATEGIES, type AggregationStrategy } from './token-aggregation.js';
export { POOLING_METHODS } from './feature-extraction.js';
export { DEFAULT_HYPOTHESIS_TEMPLATE } from './zero-shot-classification.js';
export { alignTokens, type TokenAlignmentOptions, type TokenSpan } from './token-alignment.js';
export {
  bertCharacterNormalizer,
  characterNormalizerFromTokenizerJson,
  type CharacterNormalizer,
} from './character-normalizer.js';
