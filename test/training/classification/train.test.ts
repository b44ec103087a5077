import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadLayersModel, saveLayersModel } from '../../../src/runtimes/tfjs/artifacts.js';
import { tf } from '../../../src/runtimes/tfjs/backend.js';
import { makeBatches } from '../../../src/training/classification/batches.js';
import type { EpochMetrics, TrainingEvent } from '../../../src/training/classification/events.js';
import { resolveHyperparameters } from '../../../src/training/classification/hyperparameters.js';
import {
  TrainingCancelledError,
  computeClassWeights,
  encodeExamples,
  predictBatches,
  trainTextClassifier,
  type ClassifierTrainingInput,
  type LabeledText,
  type TrainedClassifier,
} from '../../../src/training/classification/train.js';
import { REVIEW_LABELS, syntheticReviews, tinyHyperparameters } from '../synthetic-reviews.js';

const train = syntheticReviews(96, 1);
const validation = syntheticReviews(32, 2);

function trainingInput(overrides: Partial<ClassifierTrainingInput> = {}): ClassifierTrainingInput {
  return {
    train,
    validation,
    labels: REVIEW_LABELS,
    hyperparameters: tinyHyperparameters(),
    ...overrides,
  };
}

async function trainRecording(
  input: ClassifierTrainingInput,
): Promise<{ trained: TrainedClassifier; events: TrainingEvent[] }> {
  const events: TrainingEvent[] = [];
  const trained = await trainTextClassifier(input, (event) => events.push(event));
  return { trained, events };
}

/** Mean cross-entropy of `trained` on `rows`, computed as the trainer's validation does. */
function validationLoss(trained: TrainedClassifier, rows: readonly LabeledText[]): number {
  const encoded = encodeExamples(trained.tokenizer, REVIEW_LABELS, rows);
  const labelCount = REVIEW_LABELS.length;
  const probabilities = predictBatches(trained.model, makeBatches(encoded, 128), labelCount);
  let loss = 0;
  encoded.forEach((example, row) => {
    const probability = probabilities[row * labelCount + example.label] as number;
    loss -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, probability)));
  });
  return loss / encoded.length;
}

function withoutTiming(history: readonly EpochMetrics[]): Omit<EpochMetrics, 'elapsedMs'>[] {
  return history.map(({ elapsedMs: _elapsedMs, ...metrics }) => metrics);
}

function flipLabels(rows: readonly LabeledText[]): LabeledText[] {
  return rows.map((row) => ({ ...row, label: row.label === '1' ? '0' : '1' }));
}

describe('trainTextClassifier', () => {
  let first: { trained: TrainedClassifier; events: TrainingEvent[] };
  let second: { trained: TrainedClassifier; events: TrainingEvent[] };

  beforeAll(async () => {
    first = await trainRecording(trainingInput());
    second = await trainRecording(trainingInput());
  });

  afterAll(() => {
    first?.trained.model.dispose();
    second?.trained.model.dispose();
  });

  it('runs on the wasm backend', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('lowers the training loss', () => {
    const { history } = first.trained;
    expect(history).toHaveLength(4);
    expect((history.at(-1) as EpochMetrics).loss).toBeLessThan((history[0] as EpochMetrics).loss);
  });

  it('lowers the validation loss', () => {
    const { history } = first.trained;
    expect((history.at(-1) as EpochMetrics).valLoss).toBeLessThan(
      (history[0] as EpochMetrics).valLoss,
    );
  });

  it('learns the synthetic task', () => {
    expect((first.trained.history.at(-1) as EpochMetrics).valAccuracy).toBeGreaterThan(0.9);
  });

  it('reports the run in its started event', () => {
    expect(first.events[0]).toEqual({
      type: 'started',
      trainExamples: 96,
      validationExamples: 32,
      vocabularySize: first.trained.tokenizer.vocabulary.size,
      batchesPerEpoch: 6,
      epochs: 4,
    });
  });

  it('emits batch events then the epoch event', () => {
    const expected = ['started'];
    for (let epoch = 1; epoch <= 4; epoch++) {
      for (let batch = 1; batch <= 6; batch++) expected.push(`batch ${epoch}.${batch}`);
      expected.push(`epoch ${epoch}`);
    }
    const actual = first.events.map((event) => {
      if (event.type === 'batch') return `batch ${event.epoch}.${event.batch}`;
      if (event.type === 'epoch') return `epoch ${event.epoch}`;
      return event.type;
    });
    expect(actual).toEqual(expected);
  });

  it('sends the history in its epoch events', () => {
    const epochs = first.events.filter((event) => event.type === 'epoch');
    const metrics = epochs.map(
      ({ type: _type, epochs: _epochs, improved: _improved, ...rest }) => rest,
    );
    expect(metrics).toEqual(first.trained.history);
  });

  it('repeats the history for a seed', () => {
    expect(withoutTiming(second.trained.history)).toEqual(withoutTiming(first.trained.history));
  });

  it('repeats the weights for a seed', () => {
    const weightsOf = (trained: TrainedClassifier): number[][] =>
      trained.model.getWeights().map((weight) => Array.from(weight.dataSync()));
    expect(weightsOf(second.trained)).toEqual(weightsOf(first.trained));
  });
});

describe('trainTextClassifier early stopping', () => {
  // With flipped validation labels, the validation loss rises as the model learns the task.
  const flipped = flipLabels(validation);
  let run: { trained: TrainedClassifier; events: TrainingEvent[] };

  beforeAll(async () => {
    const hyperparameters = tinyHyperparameters({ epochs: 8, patience: 2 });
    run = await trainRecording(trainingInput({ validation: flipped, hyperparameters }));
  });

  afterAll(() => {
    run?.trained.model.dispose();
  });

  it('stops before the last epoch', () => {
    expect(run.trained.history.length).toBeLessThan(8);
  });

  it('stops patience epochs after the best', () => {
    expect(run.trained.history.length).toBe(run.trained.bestEpoch + 2);
  });

  it('picks the epoch of lowest validation loss', () => {
    const losses = run.trained.history.map((metrics) => metrics.valLoss);
    expect(run.trained.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
  });

  it('emits early_stopped last', () => {
    expect(run.events.at(-1)).toEqual({
      type: 'early_stopped',
      epoch: run.trained.history.length,
      bestEpoch: run.trained.bestEpoch,
    });
  });

  it('restores the best weights', () => {
    const best = run.trained.history[run.trained.bestEpoch - 1] as EpochMetrics;
    const last = run.trained.history.at(-1) as EpochMetrics;
    const restored = validationLoss(run.trained, flipped);
    expect(restored).toBeCloseTo(best.valLoss, 5);
    expect(Math.abs(restored - last.valLoss)).toBeGreaterThan(1e-3);
  });
});

describe('trainTextClassifier cancellation', () => {
  it('throws TrainingCancelledError between batches', async () => {
    const events: TrainingEvent[] = [];
    const batchCount = (): number => events.filter((event) => event.type === 'batch').length;
    const training = trainTextClassifier(
      trainingInput(),
      (event) => events.push(event),
      () => batchCount() >= 2,
    );
    await expect(training).rejects.toBeInstanceOf(TrainingCancelledError);
    expect(batchCount()).toBe(2);
    expect(events.some((event) => event.type === 'epoch')).toBe(false);
  });

  it('rejects a label outside labels', async () => {
    const rows = [...train, { text: '房间一般', label: '2' }];
    const training = trainTextClassifier(trainingInput({ train: rows }));
    await expect(training).rejects.toThrow('label "2" is not one of 0, 1');
  });
});

describe('computeClassWeights', () => {
  // Six examples of label 0, two of label 1 and none of label 2: n = 8, k = 3.
  const examples = [0, 0, 0, 0, 0, 0, 1, 1].map((label) => ({ ids: [2], label }));

  it('weights balanced classes by n / (k * n_c)', () => {
    const hyperparameters = resolveHyperparameters({ classWeighting: 'balanced' });
    const weights = computeClassWeights(examples, 3, hyperparameters);
    expect(weights).toHaveLength(3);
    expect(weights[0]).toBeCloseTo(8 / (3 * 6), 12);
    expect(weights[1]).toBeCloseTo(8 / (3 * 2), 12);
    expect(weights[2]).toBe(0);
  });

  it('weights every class 1 for none', () => {
    const hyperparameters = resolveHyperparameters({ classWeighting: 'none' });
    expect(computeClassWeights(examples, 3, hyperparameters)).toEqual([1, 1, 1]);
  });
});

describe('trainTextClassifier with the fasttext architecture', () => {
  let trained: TrainedClassifier;
  let dir: string;

  beforeAll(async () => {
    trained = await trainTextClassifier(
      trainingInput({
        hyperparameters: tinyHyperparameters({
          architecture: 'fasttext',
          maxLength: 256,
          wordNgrams: 2,
          charNgrams: 2,
          dropout: 0,
          learningRate: 0.05,
          epochs: 6,
          patience: 6,
        }),
      }),
    );
    dir = mkdtempSync(join(tmpdir(), 'maas-fasttext-'));
  });

  afterAll(() => {
    trained?.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('learns the synthetic task', () => {
    expect((trained.history.at(-1) as EpochMetrics).valAccuracy).toBeGreaterThan(0.9);
  });

  it('adds word and character n-grams to the vocabulary', () => {
    const tokens = trained.tokenizer.vocabulary.tokens();
    expect(tokens.some((token) => /^\S+ \S+$/u.test(token))).toBe(true);
    expect(tokens).toContain('<房间>');
  });

  it('predicts the same after saving and loading', async () => {
    await saveLayersModel(trained.model, dir);
    const loaded = await loadLayersModel(dir);
    const encoded = encodeExamples(trained.tokenizer, REVIEW_LABELS, validation);
    const batches = makeBatches(encoded, 8);
    const before = predictBatches(trained.model, batches, REVIEW_LABELS.length);
    const after = predictBatches(loaded, batches, REVIEW_LABELS.length);
    after.forEach((value, index) => expect(value).toBeCloseTo(before[index] as number, 6));
    loaded.dispose();
  });
});
