import { tf, useWasmBackend } from '../../runtimes/tfjs/backend.js';
import { Vocabulary } from '../../text/index.js';
import { createRandom } from '../../util/random.js';
import { clipByGlobalNorm, TrainingCancelledError } from '../classification/train.js';
import {
  computeArgumentReport,
  PREDICATE_ROLE,
  type ArgumentReport,
} from '../evaluation/argument-report.js';
import { registerTrainingKernels } from '../kernels/index.js';
import { cutLengthSortedBatches } from '../sequence/batches.js';
import { BestEpoch } from '../sequence/best-epoch.js';
import { maskedCrossEntropy } from '../sequence/loss.js';
import { tokenKey } from '../tagging/token-splitter.js';
import { decodeRoles } from './decode.js';
import type { SrlExample } from './instances.js';
import { predicateIndicator } from './instances.js';
import { buildSrlTagger, type SrlHyperparameters } from './model.js';

export interface SrlTrainingInput {
  train: readonly SrlExample[];
  validation: readonly SrlExample[];
  /** Role labels; a label's index in this list is its output unit. `V` must be one of them. */
  roles: readonly string[];
  hyperparameters: SrlHyperparameters;
}

/** Metrics of one finished epoch. */
export interface SrlEpochMetrics {
  epoch: number;
  loss: number;
  valF1: number;
  elapsedMs: number;
}

export type SrlTrainingEvent =
  | { type: 'started'; trainPredicates: number; vocabularySize: number; batchesPerEpoch: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | ({ type: 'epoch'; epochs: number; improved: boolean } & SrlEpochMetrics)
  | { type: 'early_stopped'; epoch: number; bestEpoch: number };

export interface TrainedSrlTagger {
  model: tf.LayersModel;
  vocabulary: Vocabulary;
  roles: readonly string[];
  history: SrlEpochMetrics[];
  /** Epoch whose weights the model holds: the one with the best validation argument F1. */
  bestEpoch: number;
  /** Argument report of the validation predicates at the best epoch. */
  validation: ArgumentReport;
}

/** An example as ids, predicate indicator and role indexes, at most `maxLength` long. */
interface EncodedExample {
  ids: number[];
  indicator: number[];
  roles: number[];
}

/** A padded batch, row-major `[size, steps]`. */
export interface SrlBatch {
  ids: Int32Array;
  indicator: Int32Array;
  roles: Int32Array;
  mask: Float32Array;
  size: number;
  steps: number;
}

/** The shortest padded batch; tfjs-layers 4.22 fails on the gradient of one LSTM step. */
const MIN_STEPS = 2;
/** Examples per forward pass when predicting. */
const PREDICT_BATCH = 64;

/**
 * Trains the BiLSTM role tagger with Adam on masked cross-entropy, evaluates the argument F1
 * of the validation predicates after every epoch, stops after `patience` epochs without
 * improvement and restores the best weights.
 */
export async function trainSrlTagger(
  input: SrlTrainingInput,
  onEvent: (event: SrlTrainingEvent) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<TrainedSrlTagger> {
  await useWasmBackend();
  registerTrainingKernels();
  const hp = input.hyperparameters;
  const roleIndex = new Map(input.roles.map((role, index) => [role, index]));
  // Every predicate repeats its sentence, so the words of a sentence are counted once.
  const sentences = new Set(input.train.map((example) => example.tokens));
  const vocabulary = Vocabulary.build(
    [...sentences].map((tokens) => tokens.map(tokenKey)),
    { minCount: hp.minCount, maxSize: hp.vocabularySize },
  );
  const train = input.train.map((example) =>
    encodeExample(example, vocabulary, roleIndex, hp.maxLength),
  );
  const model = buildSrlTagger(hp, vocabulary.size, input.roles.length);
  const optimizer = tf.train.adam(hp.learningRate);
  const random = createRandom(hp.seed);
  const batchesPerEpoch = Math.ceil(train.length / hp.batchSize);
  onEvent({
    type: 'started',
    trainPredicates: input.train.length,
    vocabularySize: vocabulary.size,
    batchesPerEpoch,
  });

  const history: SrlEpochMetrics[] = [];
  const best = new BestEpoch<ArgumentReport>();
  const variables = (): tf.Variable[] =>
    model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  try {
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const started = Date.now();
      const batches = cutLengthSortedBatches(
        train,
        hp.batchSize,
        random,
        (example) => example.ids.length,
        padSrlBatch,
      );
      let lossSum = 0;
      for (const [position, batch] of batches.entries()) {
        if (isCancelled()) throw new TrainingCancelledError();
        const loss = trainStep(model, optimizer, batch, hp.clipNorm, variables());
        lossSum += loss;
        onEvent({ type: 'batch', epoch, batch: position + 1, batches: batches.length, loss });
        await new Promise((resolve) => setImmediate(resolve));
      }
      const report = evaluateSrlTagger(
        model,
        vocabulary,
        input.roles,
        input.validation,
        hp.maxLength,
      );
      const metrics: SrlEpochMetrics = {
        epoch,
        loss: lossSum / Math.max(1, batches.length),
        valF1: report.overall.f1,
        elapsedMs: Date.now() - started,
      };
      history.push(metrics);
      const improved = best.record(epoch, report.overall.f1, report, variables());
      onEvent({ type: 'epoch', epochs: hp.epochs, improved, ...metrics });
      if (best.stalled(epoch, hp.patience) && epoch < hp.epochs) {
        onEvent({ type: 'early_stopped', epoch, bestEpoch: best.epoch });
        break;
      }
    }
  } catch (error) {
    best.dispose();
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }

  const { epoch: bestEpoch, report: validation } = best.restore(variables());
  return { model, vocabulary, roles: input.roles, history, bestEpoch, validation };
}

/**
 * Encodes an example to word ids, predicate indicator and role indexes, keeping its first
 * `maxLength` tokens.
 *
 * @throws Error naming the label when the example has a label outside `roleIndex`, and
 * RangeError when its predicate lies past `maxLength`.
 */
export function encodeExample(
  example: SrlExample,
  vocabulary: Vocabulary,
  roleIndex: ReadonlyMap<string, number>,
  maxLength: number,
): EncodedExample {
  const tokens = example.tokens.slice(0, maxLength);
  return {
    ids: tokens.map((token) => vocabulary.idOf(tokenKey(token))),
    indicator: predicateIndicator(tokens.length, example.predicateIndex),
    roles: example.labels.slice(0, maxLength).map((label) => {
      const index = roleIndex.get(label);
      if (index === undefined) {
        throw new Error(`role "${label}" is not one of ${[...roleIndex.keys()].join(', ')}`);
      }
      return index;
    }),
  };
}

/**
 * Pads rows at the end to the longest row (at least two steps) of the batch. The indicator
 * is shifted by one, 1 off and 2 on the predicate, so that 0 marks padding as it does for
 * word ids. The ONNX graph takes the unshifted 0 or 1.
 */
export function padSrlBatch(rows: readonly EncodedExample[]): SrlBatch {
  const steps = Math.max(MIN_STEPS, ...rows.map((row) => row.ids.length));
  const ids = new Int32Array(rows.length * steps);
  const indicator = new Int32Array(rows.length * steps);
  const roles = new Int32Array(rows.length * steps);
  const mask = new Float32Array(rows.length * steps);
  rows.forEach((row, index) => {
    ids.set(row.ids, index * steps);
    indicator.set(
      row.indicator.map((value) => value + 1),
      index * steps,
    );
    roles.set(row.roles, index * steps);
    mask.fill(1, index * steps, index * steps + row.ids.length);
  });
  return { ids, indicator, roles, mask, size: rows.length, steps };
}

function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  batch: SrlBatch,
  clipNorm: number,
  variables: tf.Variable[],
): number {
  const shape: [number, number] = [batch.size, batch.steps];
  return tf.tidy(() => {
    const ids = tf.tensor2d(batch.ids, shape, 'int32');
    const indicator = tf.tensor2d(batch.indicator, shape, 'int32');
    const roles = tf.tensor2d(batch.roles, shape, 'int32');
    const mask = tf.tensor2d(batch.mask, shape);
    const { value, grads } = optimizer.computeGradients(() => {
      const probabilities = model.apply([ids, indicator], { training: true }) as tf.Tensor3D;
      return maskedCrossEntropy(probabilities, roles, mask);
    }, variables);
    optimizer.applyGradients(clipByGlobalNorm(grads, clipNorm));
    return value.dataSync()[0] as number;
  });
}

/**
 * Runs the tfjs model on examples and returns each example's probability rows,
 * `[tokens, roles]` row-major, for its first `maxLength` tokens.
 */
export function scoreExamples(
  model: tf.LayersModel,
  vocabulary: Vocabulary,
  examples: readonly SrlExample[],
  maxLength: number,
  width: number,
): Float32Array[] {
  const output: Float32Array[] = [];
  for (let first = 0; first < examples.length; first += PREDICT_BATCH) {
    const rows = examples.slice(first, first + PREDICT_BATCH).map((example) => {
      const tokens = example.tokens.slice(0, maxLength);
      return {
        ids: tokens.map((token) => vocabulary.idOf(tokenKey(token))),
        indicator: predicateIndicator(tokens.length, example.predicateIndex),
        roles: tokens.map(() => 0),
      };
    });
    const batch = padSrlBatch(rows);
    const shape: [number, number] = [batch.size, batch.steps];
    const scores = tf.tidy(() =>
      (
        model.predict([
          tf.tensor2d(batch.ids, shape, 'int32'),
          tf.tensor2d(batch.indicator, shape, 'int32'),
        ]) as tf.Tensor
      ).dataSync(),
    ) as Float32Array;
    rows.forEach((row, index) => {
      const start = index * batch.steps * width;
      output.push(scores.slice(start, start + row.ids.length * width));
    });
  }
  return output;
}

/**
 * Predicts a role label for every token of each example. Tokens past `maxLength` get `O`.
 */
export function predictRoles(
  model: tf.LayersModel,
  vocabulary: Vocabulary,
  roles: readonly string[],
  examples: readonly SrlExample[],
  maxLength: number,
): string[][] {
  const predicateRole = roles.indexOf(PREDICATE_ROLE);
  const scores = scoreExamples(model, vocabulary, examples, maxLength, roles.length);
  return examples.map((example, index) => {
    const steps = Math.min(example.tokens.length, maxLength);
    const path = decodeRoles(
      scores[index] as Float32Array,
      steps,
      roles.length,
      example.predicateIndex,
      predicateRole,
    );
    const labels = path.map((role) => roles[role] as string);
    while (labels.length < example.tokens.length) labels.push('O');
    return labels;
  });
}

/** Predicts the roles of `examples` and scores them against their gold labels. */
export function evaluateSrlTagger(
  model: tf.LayersModel,
  vocabulary: Vocabulary,
  roles: readonly string[],
  examples: readonly SrlExample[],
  maxLength: number,
): ArgumentReport {
  return computeArgumentReport(
    examples.map((example) => example.labels),
    predictRoles(model, vocabulary, roles, examples, maxLength),
  );
}
