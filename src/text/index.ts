export { DEFAULT_NORMALIZE_OPTIONS, normalizeText, type NormalizeOptions } from './normalize.js';
export {
  SEGMENTATION_MODES,
  isSegmentationMode,
  iterateTokens,
  segment,
  type SegmentationMode,
} from './segment.js';
export {
  MAX_NGRAM_ORDER,
  NO_NGRAMS,
  charNgramFeature,
  hasNgrams,
  withNgrams,
  type NgramOptions,
} from './ngrams.js';
export {
  PAD_ID,
  PAD_TOKEN,
  UNK_ID,
  UNK_TOKEN,
  Vocabulary,
  type VocabularyOptions,
} from './vocabulary.js';
export {
  Tokenizer,
  type BatchEncoding,
  type EncodeBatchOptions,
  type Encoding,
  type PaddingStrategy,
  type TokenizerConfig,
} from './tokenizer.js';
export {
  TOKENIZER_FORMAT,
  TOKENIZER_FORMAT_VERSION,
  parseTokenizerFile,
  type TokenizerFile,
} from './tokenizer-file.js';
