import { describe, expect, it } from 'vitest';

import {
  DEFAULT_CLASSIFIER_HYPERPARAMETERS,
  defaultHyperparameters,
  resolveHyperparameters,
  type ClassifierHyperparameters,
} from '../../../src/training/classification/hyperparameters.js';
import { catchMaasError } from '../datasets/helpers.js';

describe('DEFAULT_CLASSIFIER_HYPERPARAMETERS', () => {
  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_CLASSIFIER_HYPERPARAMETERS)).toBe(true);
    expect(() => {
      (DEFAULT_CLASSIFIER_HYPERPARAMETERS as ClassifierHyperparameters).units = 1;
    }).toThrow(TypeError);
  });

  it('passes its own validation', () => {
    expect(resolveHyperparameters()).toEqual(DEFAULT_CLASSIFIER_HYPERPARAMETERS);
  });
});

describe('resolveHyperparameters', () => {
  it('returns a copy of the defaults', () => {
    const resolved = resolveHyperparameters();
    resolved.units = 7;
    expect(DEFAULT_CLASSIFIER_HYPERPARAMETERS.units).toBe(64);
  });

  it('merges overrides over the defaults', () => {
    const resolved = resolveHyperparameters({ units: 32, classWeighting: 'balanced' });
    expect(resolved.units).toBe(32);
    expect(resolved.classWeighting).toBe('balanced');
    expect(resolved.embeddingDim).toBe(DEFAULT_CLASSIFIER_HYPERPARAMETERS.embeddingDim);
  });

  it('ignores undefined overrides', () => {
    expect(resolveHyperparameters({ units: undefined }).units).toBe(64);
  });

  it('accepts boundary values', () => {
    const resolved = resolveHyperparameters({
      maxLength: 65_536,
      vocabularySize: 3,
      dropout: 0,
      learningRate: 1,
      seed: 0,
      epochs: 1,
      patience: 1,
    });
    expect(resolved.maxLength).toBe(65_536);
    expect(resolved.dropout).toBe(0);
    expect(resolved.learningRate).toBe(1);
    expect(resolved.seed).toBe(0);
  });

  const invalid: [keyof ClassifierHyperparameters, unknown][] = [
    ['maxLength', 0],
    ['maxLength', 65_537],
    ['wordNgrams', 0],
    ['wordNgrams', 6],
    ['charNgrams', -1],
    ['charNgrams', 2.5],
    ['maxLength', 1.5],
    ['vocabularySize', 2],
    ['minCount', 0],
    ['embeddingDim', 0],
    ['units', 2049],
    ['units', '64'],
    ['batchSize', 0],
    ['epochs', 0],
    ['epochs', 1001],
    ['patience', 0],
    ['seed', -1],
    ['seed', 2 ** 31],
    ['dropout', 1],
    ['dropout', -0.1],
    ['dropout', Number.NaN],
    ['learningRate', 0],
    ['learningRate', 1.5],
    ['learningRate', Number.NaN],
    ['architecture', 'cnn'],
    ['kernelSizes', []],
    ['kernelSizes', [2, 2]],
    ['kernelSizes', [0, 3]],
    ['kernelSizes', [2, 65]],
    ['kernelSizes', [2.5]],
    ['kernelSizes', '2,3,4'],
    ['kernelSizes', Array.from({ length: 17 }, (_, index) => index + 1)],
    ['encoderLayers', 0],
    ['encoderLayers', 65],
    ['attentionHeads', 0],
    ['segmentation', 'bpe'],
    ['classWeighting', 'auto'],
    ['embeddingDtype', 'int8'],
    ['lowercase', 'yes'],
  ];

  it('starts from the defaults of the architecture it names', () => {
    const fasttext = resolveHyperparameters({ architecture: 'fasttext' });
    expect(fasttext).toEqual(defaultHyperparameters('fasttext'));
    expect(fasttext.wordNgrams).toBe(2);
    expect(fasttext.charNgrams).toBe(3);
    expect(fasttext.maxLength).toBe(8192);
    expect(resolveHyperparameters({ architecture: 'fasttext', maxLength: 100 }).maxLength).toBe(
      100,
    );
    expect(resolveHyperparameters({ architecture: 'bilstm' }).learningRate).toBe(0.001);
    expect(resolveHyperparameters().wordNgrams).toBe(1);
    expect(resolveHyperparameters().charNgrams).toBe(0);
  });

  it('has defaults for textcnn and transformer', () => {
    const textcnn = resolveHyperparameters({ architecture: 'textcnn' });
    expect(textcnn.kernelSizes).toEqual([2, 3, 4]);
    expect(textcnn.units).toBe(64);
    const transformer = resolveHyperparameters({ architecture: 'transformer' });
    expect(transformer.encoderLayers).toBe(2);
    expect(transformer.attentionHeads).toBe(4);
    expect(transformer.embeddingDim).toBe(64);
    expect(transformer.units).toBe(128);
    expect(transformer.dropout).toBe(0.1);
  });

  it('copies the default kernel sizes', () => {
    resolveHyperparameters({ architecture: 'textcnn' }).kernelSizes.push(9);
    expect(resolveHyperparameters({ architecture: 'textcnn' }).kernelSizes).toEqual([2, 3, 4]);
  });

  it('rejects heads that do not divide the embedding', () => {
    const error = catchMaasError(() =>
      resolveHyperparameters({ architecture: 'transformer', embeddingDim: 30, attentionHeads: 4 }),
    );
    expect(error.param).toBe('attentionHeads');
    expect(error.message).toContain('a divisor of embeddingDim (30)');
  });

  it('ignores the heads of other architectures', () => {
    const lstm = resolveHyperparameters({ embeddingDim: 30, attentionHeads: 4 });
    expect(lstm.embeddingDim).toBe(30);
  });

  for (const [name, value] of invalid) {
    it(`rejects ${name}=${String(value)}`, () => {
      const overrides = { [name]: value } as Partial<ClassifierHyperparameters>;
      const error = catchMaasError(() => resolveHyperparameters(overrides));
      expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
      expect(error.param).toBe(name);
      expect(error.message).toContain(`invalid hyperparameter ${name}=`);
      expect(error.message).toContain('expected');
    });
  }
});
