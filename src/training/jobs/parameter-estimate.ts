import {
  resolveHyperparameters,
  type ClassifierArchitecture,
  type ClassifierHyperparameters,
} from '../classification/hyperparameters.js';
import { DEFAULT_SRL_HYPERPARAMETERS, type SrlHyperparameters } from '../srl/model.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS, type TaggerHyperparameters } from '../tagging/model.js';
import { WORD_SHAPES } from '../tagging/word-features.js';

// Upper estimates of a model's trainable weights from its hyperparameters alone, before any
// data is read: the vocabulary counts at its largest size, and output layers, whose width is
// the number of labels, are left out. Jobs compare them with `training.max_parameters`.

/** Weights of one LSTM direction: four gates, each with input, recurrent and bias weights. */
function lstmWeights(inputWidth: number, units: number): number {
  return 4 * units * (inputWidth + units + 1);
}

/** Upper estimate of the weights of a classifier with `stored` (camelCase) hyperparameters. */
export function estimateClassifierParameters(
  architecture: string,
  stored: Record<string, unknown>,
): number {
  const h: ClassifierHyperparameters = resolveHyperparameters({
    ...(stored as Partial<ClassifierHyperparameters>),
    architecture: architecture as ClassifierArchitecture,
  });
  const embedding = h.vocabularySize * h.embeddingDim;
  switch (h.architecture) {
    case 'fasttext':
      return embedding;
    case 'textcnn':
      return (
        embedding +
        h.kernelSizes.reduce((sum, size) => sum + size * h.embeddingDim * h.units + h.units, 0)
      );
    case 'transformer': {
      const width = h.embeddingDim;
      const perLayer = 4 * width * (width + 1) + 2 * width * h.units + h.units + 5 * width;
      return embedding + h.maxLength * width + h.encoderLayers * perLayer;
    }
    default: {
      // Two stacked recurrent layers; a GRU has three gates and a simple RNN one, so the LSTM
      // count bounds them.
      const directions = h.architecture === 'bilstm' ? 2 : 1;
      const second = directions * h.units;
      return (
        embedding +
        directions * (lstmWeights(h.embeddingDim, h.units) + lstmWeights(second, h.units))
      );
    }
  }
}

/** Upper estimate of the weights of a tagger with `stored` (camelCase) hyperparameters. */
export function estimateTaggerParameters(stored: Record<string, unknown>): number {
  const h: TaggerHyperparameters = {
    ...DEFAULT_TAGGER_HYPERPARAMETERS,
    ...(stored as Partial<TaggerHyperparameters>),
  };
  // The unit of a job without one depends on the data, so word features count unless ruled out.
  const features = h.unit !== 'character' && h.characterFeatures;
  const featureWeights = features
    ? h.ngramBuckets * h.ngramEmbeddingDim + WORD_SHAPES.length * h.shapeEmbeddingDim
    : 0;
  const inputWidth = h.embeddingDim + (features ? h.ngramEmbeddingDim + h.shapeEmbeddingDim : 0);
  return h.vocabularySize * h.embeddingDim + featureWeights + 2 * lstmWeights(inputWidth, h.units);
}

/** Upper estimate of the weights of a role tagger with its trainer's hyperparameters. */
export function estimateSrlParameters(hyperparameters: Partial<SrlHyperparameters>): number {
  const h: SrlHyperparameters = { ...DEFAULT_SRL_HYPERPARAMETERS, ...hyperparameters };
  let weights = h.vocabularySize * h.embeddingDim + 3 * h.predicateEmbeddingDim;
  let inputWidth = h.embeddingDim + h.predicateEmbeddingDim;
  for (let layer = 0; layer < h.layers; layer++) {
    weights += 2 * lstmWeights(inputWidth, h.units);
    inputWidth = 2 * h.units;
  }
  return weights;
}
