import { beforeAll, describe, expect, it } from 'vitest';

import { useWasmBackend } from '../../src/runtimes/tfjs/backend.js';

import {
  CLASSIFIER_ARCHITECTURES,
  resolveHyperparameters,
} from '../../src/training/classification/hyperparameters.js';
import { buildClassifier } from '../../src/training/classification/model.js';
import {
  estimateClassifierParameters,
  estimateSrlParameters,
  estimateTaggerParameters,
} from '../../src/training/jobs/parameter-estimate.js';
import { buildSrlTagger, DEFAULT_SRL_HYPERPARAMETERS } from '../../src/training/srl/model.js';
import { buildTagger, DEFAULT_TAGGER_HYPERPARAMETERS } from '../../src/training/tagging/model.js';

const VOCABULARY = 500;
const LABELS = 3;

/** Weights of the output layer, which the estimates leave out: a dense layer with bias. */
function outputWeights(inputWidth: number, labels: number): number {
  return inputWidth * labels + labels;
}

describe('parameter estimates', () => {
  beforeAll(() => useWasmBackend());

  it.each(CLASSIFIER_ARCHITECTURES)('bound the %s classifier', (architecture) => {
    const stored = { vocabularySize: VOCABULARY, embeddingDim: 16, units: 8, maxLength: 32 };
    const hyperparameters = resolveHyperparameters({ ...stored, architecture });
    const model = buildClassifier(hyperparameters, VOCABULARY, LABELS);
    const actual = model.countParams();
    model.dispose();

    const estimate = estimateClassifierParameters(architecture, stored);
    // The output layer reads at most the widest of these widths.
    const widest = Math.max(16, 2 * 8, 8 * hyperparameters.kernelSizes.length);
    expect(estimate + outputWeights(widest, LABELS)).toBeGreaterThanOrEqual(actual);
    expect(estimate).toBeGreaterThanOrEqual(0.5 * actual);
  });

  it('counts a character tagger exactly but for its output', () => {
    const stored = { unit: 'character', vocabularySize: VOCABULARY, embeddingDim: 16, units: 8 };
    const model = buildTagger(
      { ...DEFAULT_TAGGER_HYPERPARAMETERS, ...stored, unit: 'character' },
      VOCABULARY,
      LABELS,
    );
    const actual = model.countParams();
    model.dispose();

    expect(estimateTaggerParameters(stored) + outputWeights(16, LABELS)).toBe(actual);
  });

  it('counts a role tagger exactly but for its output', () => {
    const hyperparameters = { vocabularySize: VOCABULARY, embeddingDim: 16, units: 8, layers: 3 };
    const model = buildSrlTagger(
      { ...DEFAULT_SRL_HYPERPARAMETERS, ...hyperparameters },
      VOCABULARY,
      LABELS,
    );
    const actual = model.countParams();
    model.dispose();

    expect(estimateSrlParameters(hyperparameters) + outputWeights(16, LABELS)).toBe(actual);
  });

  it('grows with stacked layers', () => {
    const small = estimateSrlParameters({ units: 2048, layers: 1 });
    const large = estimateSrlParameters({ units: 2048, layers: 64 });

    expect(large).toBeGreaterThan(2_000_000_000);
    expect(large).toBeGreaterThan(50 * small - 50 * 30_000 * 100);
  });
});
