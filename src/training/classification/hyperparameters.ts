import { MaasError } from '../../errors/index.js';
import { MAX_NGRAM_ORDER, SEGMENTATION_MODES, type SegmentationMode } from '../../text/index.js';

/**
 * Architectures of text classifiers this trainer builds:
 * - `lstm`: Embedding → LSTM → Dropout → LSTM → Dense softmax;
 * - `bilstm`: the same with each LSTM wrapped in a bidirectional layer whose two directions are
 *   concatenated;
 * - `gru` and `rnn`: the `lstm` layout with GRU or simple RNN layers;
 * - `fasttext`: a bag of n-grams in the manner of fastText, Embedding → mean over the text →
 *   Dropout → Dense softmax, over tokens with word and character n-grams added;
 * - `textcnn`: Embedding → one Conv1D (relu) per kernel size → max over time of each →
 *   concatenation → Dropout → Dense softmax, as in Kim (2014);
 * - `transformer`: Embedding plus a learned position embedding → encoder layers of
 *   multi-head self-attention and a feed-forward network, each with a residual connection and
 *   layer normalization → mean over the text → Dropout → Dense softmax.
 */
export const CLASSIFIER_ARCHITECTURES = [
  'lstm',
  'bilstm',
  'gru',
  'rnn',
  'fasttext',
  'textcnn',
  'transformer',
] as const;
export type ClassifierArchitecture = (typeof CLASSIFIER_ARCHITECTURES)[number];

export const CLASS_WEIGHTING = ['none', 'balanced'] as const;
export type ClassWeighting = (typeof CLASS_WEIGHTING)[number];

/**
 * Storage type of the token embedding in `model.onnx`. With `float16` the trained table is
 * rounded to float16 before evaluation and export, so the reported metrics and the ONNX parity
 * check are those of the stored weights. The graph casts the rows it gathers to float32.
 */
export const EMBEDDING_DTYPES = ['float32', 'float16'] as const;
export type EmbeddingDtype = (typeof EMBEDDING_DTYPES)[number];

/** Hyperparameters of a text-classification training run. */
export interface ClassifierHyperparameters {
  architecture: ClassifierArchitecture;
  /** Tokens kept per text; longer texts are truncated. */
  maxLength: number;
  segmentation: SegmentationMode;
  /** Maximum number of tokens joined into one feature. 1 adds none. */
  wordNgrams: number;
  /** Maximum number of characters joined into one feature. 0 adds none. */
  charNgrams: number;
  lowercase: boolean;
  /** Largest vocabulary, counting the reserved padding and unknown ids. */
  vocabularySize: number;
  /** Tokens seen fewer times than this in the training rows map to the unknown id. */
  minCount: number;
  embeddingDim: number;
  embeddingDtype: EmbeddingDtype;
  /**
   * Width of each recurrent layer, filters per kernel size of `textcnn`, or the inner width of
   * the feed-forward networks of `transformer`; `fasttext` has none.
   */
  units: number;
  /**
   * Dropout rate between the two recurrent layers, or before the output layer of `fasttext`
   * and `textcnn`; `transformer` also applies it to the output of each attention and
   * feed-forward sublayer.
   */
  dropout: number;
  /** Dropout rate on the inputs of each LSTM layer (Keras' LSTM `dropout` argument). */
  inputDropout: number;
  /** Widths of the convolutions of `textcnn`, one branch each. */
  kernelSizes: number[];
  /** Encoder layers of `transformer`. */
  encoderLayers: number;
  /** Attention heads of each `transformer` encoder layer; they split `embeddingDim`. */
  attentionHeads: number;
  /** Largest global L2 norm of the gradients of one step; larger gradients are scaled down. */
  clipNorm: number;
  batchSize: number;
  /** Upper bound on epochs; early stopping usually ends training sooner. */
  epochs: number;
  learningRate: number;
  /** Epochs without a lower validation loss before training stops. */
  patience: number;
  classWeighting: ClassWeighting;
  seed: number;
}

/**
 * Defaults of the default architecture, `lstm`. They train a sentiment classifier on a few
 * thousand reviews in minutes on a CPU.
 */
export const DEFAULT_CLASSIFIER_HYPERPARAMETERS: Readonly<ClassifierHyperparameters> =
  Object.freeze({
    architecture: 'lstm',
    maxLength: 128,
    segmentation: 'word',
    wordNgrams: 1,
    charNgrams: 0,
    lowercase: true,
    vocabularySize: 20_000,
    minCount: 2,
    embeddingDim: 64,
    embeddingDtype: 'float32',
    units: 64,
    dropout: 0.5,
    inputDropout: 0,
    kernelSizes: [2, 3, 4],
    encoderLayers: 2,
    attentionHeads: 4,
    clipNorm: 5,
    batchSize: 32,
    epochs: 10,
    learningRate: 0.002,
    patience: 2,
    classWeighting: 'none',
    seed: 42,
  });

/**
 * What each architecture changes in {@link DEFAULT_CLASSIFIER_HYPERPARAMETERS}. A bag of
 * n-grams reads every feature of a text, about four per Chinese character, so it needs a larger
 * vocabulary and a much longer sequence. Truncating reviews to their first 1,024 features cost
 * 1.5 points of accuracy on ChnSentiCorp.
 */
const ARCHITECTURE_DEFAULTS: Readonly<
  Record<ClassifierArchitecture, Partial<ClassifierHyperparameters>>
> = Object.freeze({
  lstm: {},
  bilstm: { learningRate: 0.001, inputDropout: 0.25 },
  gru: {},
  rnn: { learningRate: 0.001 },
  fasttext: {
    maxLength: 8192,
    wordNgrams: 2,
    charNgrams: 3,
    vocabularySize: 300_000,
    embeddingDim: 64,
    dropout: 0.5,
    learningRate: 0.002,
    epochs: 20,
    patience: 3,
  },
  textcnn: {},
  transformer: { units: 128, dropout: 0.1, learningRate: 0.001 },
});

/** Returns the defaults of `architecture`: those of `lstm` with its own changes. */
export function defaultHyperparameters(
  architecture: ClassifierArchitecture,
): ClassifierHyperparameters {
  return {
    ...DEFAULT_CLASSIFIER_HYPERPARAMETERS,
    kernelSizes: [...DEFAULT_CLASSIFIER_HYPERPARAMETERS.kernelSizes],
    ...ARCHITECTURE_DEFAULTS[architecture],
    architecture,
  };
}

const INTEGER_RANGES = {
  maxLength: [1, 65_536],
  wordNgrams: [1, MAX_NGRAM_ORDER],
  charNgrams: [0, MAX_NGRAM_ORDER],
  vocabularySize: [3, 1_000_000],
  minCount: [1, 1_000_000],
  embeddingDim: [1, 2048],
  units: [1, 2048],
  batchSize: [1, 4096],
  epochs: [1, 1000],
  patience: [1, 1000],
  encoderLayers: [1, 64],
  attentionHeads: [1, 2048],
  seed: [0, 2 ** 31 - 1],
} as const satisfies Partial<Record<keyof ClassifierHyperparameters, readonly [number, number]>>;

/**
 * Merges `overrides` over the defaults of the architecture they name (`lstm` if none) and
 * checks every value.
 */
export function resolveHyperparameters(
  overrides: Partial<ClassifierHyperparameters> = {},
): ClassifierHyperparameters {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<ClassifierHyperparameters>;
  const architecture = defined.architecture ?? DEFAULT_CLASSIFIER_HYPERPARAMETERS.architecture;
  checkChoice('architecture', architecture, CLASSIFIER_ARCHITECTURES);
  const merged = { ...defaultHyperparameters(architecture), ...defined };

  for (const [name, [min, max]] of Object.entries(INTEGER_RANGES)) {
    const value = merged[name as keyof typeof INTEGER_RANGES];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw invalid(name, value, `an integer from ${min} to ${max}`);
    }
  }
  for (const name of ['dropout', 'inputDropout'] as const) {
    if (!(merged[name] >= 0 && merged[name] < 1)) {
      throw invalid(name, merged[name], 'a number from 0 up to but not including 1');
    }
  }
  if (!(merged.clipNorm > 0)) {
    throw invalid('clipNorm', merged.clipNorm, 'a number above 0');
  }
  if (!(merged.learningRate > 0 && merged.learningRate <= 1)) {
    throw invalid('learningRate', merged.learningRate, 'a number above 0 and at most 1');
  }
  checkKernelSizes(merged.kernelSizes);
  if (merged.architecture === 'transformer' && merged.embeddingDim % merged.attentionHeads !== 0) {
    throw invalid(
      'attentionHeads',
      merged.attentionHeads,
      `a divisor of embeddingDim (${merged.embeddingDim})`,
    );
  }
  checkChoice('segmentation', merged.segmentation, SEGMENTATION_MODES);
  checkChoice('classWeighting', merged.classWeighting, CLASS_WEIGHTING);
  checkChoice('embeddingDtype', merged.embeddingDtype, EMBEDDING_DTYPES);
  if (typeof merged.lowercase !== 'boolean') {
    throw invalid('lowercase', merged.lowercase, 'true or false');
  }
  return merged;
}

/** Largest kernel size of `textcnn`, and the most kernel sizes it takes. */
export const MAX_KERNEL_SIZE = 64;
export const MAX_KERNEL_SIZES = 16;

function checkKernelSizes(sizes: unknown): void {
  const expected = `a list of 1 to ${MAX_KERNEL_SIZES} distinct integers from 1 to ${MAX_KERNEL_SIZE}`;
  if (
    !Array.isArray(sizes) ||
    sizes.length < 1 ||
    sizes.length > MAX_KERNEL_SIZES ||
    new Set(sizes).size !== sizes.length
  ) {
    throw invalid('kernelSizes', sizes, expected);
  }
  for (const size of sizes) {
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_KERNEL_SIZE) {
      throw invalid('kernelSizes', sizes, expected);
    }
  }
}

function checkChoice(name: string, value: unknown, choices: readonly string[]): void {
  if (!choices.includes(value as string)) {
    throw invalid(name, value, `one of ${choices.join(', ')}`);
  }
}

function invalid(name: string, value: unknown, expected: string): MaasError {
  return new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `invalid hyperparameter ${name}=${JSON.stringify(value)}: expected ${expected}`,
    { param: name },
  );
}
