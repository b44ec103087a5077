import { tf, useWasmBackend } from '../../runtimes/tfjs/backend.js';
import { Tokenizer } from '../../text/index.js';
import { createRandom } from '../../util/random.js';
import { registerTrainingKernels } from '../kernels/index.js';
import { makeBatches, type Batch, type EncodedExample } from './batches.js';
import type { EpochMetrics, TrainingEvent } from './events.js';
import type { ClassifierHyperparameters } from './hyperparameters.js';
import { buildClassifier } from './model.js';

export interface LabeledText {
  text: string;
  label: string;
}

export interface ClassifierTrainingInput {
  train: readonly LabeledText[];
  validation: readonly LabeledText[];
  /** Label names; a label's index in this list is its output unit. */
  labels: readonly string[];
  hyperparameters: ClassifierHyperparameters;
}

export interface TrainedClassifier {
  model: tf.LayersModel;
  tokenizer: Tokenizer;
  history: EpochMetrics[];
  /** Epoch whose weights the model holds: the one with the lowest validation loss. */
  bestEpoch: number;
}

/** Minimum drop in validation loss that counts as an improvement for early stopping. */
const MIN_LOSS_DELTA = 1e-4;

/**
 * Trains a text classifier: builds the tokenizer on the training texts, trains with Adam on
 * length-bucketed batches, evaluates the validation set after every epoch, stops after
 * `patience` epochs without improvement and restores the best weights. `isCancelled` is
 * checked between batches.
 */
export async function trainTextClassifier(
  input: ClassifierTrainingInput,
  onEvent: (event: TrainingEvent) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<TrainedClassifier> {
  await useWasmBackend();
  registerTrainingKernels();
  const { hyperparameters: hp, labels } = input;

  const tokenizer = Tokenizer.train(
    input.train.map((example) => example.text),
    {
      normalize: { lowercase: hp.lowercase, stripUrls: true, stripHtml: true },
      segmentation: hp.segmentation,
      maxLength: hp.maxLength,
      ngrams: { word: hp.wordNgrams, char: hp.charNgrams },
    },
    { minCount: hp.minCount, maxSize: hp.vocabularySize },
  );
  const train = encodeExamples(tokenizer, labels, input.train);
  const validationBatches = makeBatches(encodeExamples(tokenizer, labels, input.validation), 128);
  const classWeights = tf.tensor1d(computeClassWeights(train, labels.length, hp));
  const model = buildClassifier(hp, tokenizer.vocabulary.size, labels.length);
  const optimizer = tf.train.adam(hp.learningRate);
  const random = createRandom(hp.seed);
  const batchesPerEpoch = Math.ceil(train.length / hp.batchSize);

  onEvent({
    type: 'started',
    trainExamples: train.length,
    validationExamples: input.validation.length,
    vocabularySize: tokenizer.vocabulary.size,
    batchesPerEpoch,
    epochs: hp.epochs,
  });

  const history: EpochMetrics[] = [];
  let best: { loss: number; epoch: number; weights: tf.Tensor[] } | undefined;
  try {
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const started = Date.now();
      const batches = makeBatches(train, hp.batchSize, random);
      const fit = await fitEpoch(
        model,
        optimizer,
        batches,
        { classWeights, labelCount: labels.length, clipNorm: hp.clipNorm },
        isCancelled,
        (batch, loss) => onEvent({ type: 'batch', epoch, batch, batches: batches.length, loss }),
      );
      const validation = evaluateBatches(model, validationBatches, labels.length);
      const metrics: EpochMetrics = {
        epoch,
        ...fit,
        valLoss: validation.loss,
        valAccuracy: validation.accuracy,
        elapsedMs: Date.now() - started,
      };
      history.push(metrics);

      const improved = best === undefined || metrics.valLoss < best.loss - MIN_LOSS_DELTA;
      if (improved) {
        best?.weights.forEach((weight) => weight.dispose());
        best = {
          loss: metrics.valLoss,
          epoch,
          weights: model.getWeights().map((weight) => weight.clone()),
        };
      }
      onEvent({ type: 'epoch', epochs: hp.epochs, improved, ...metrics });
      if (best !== undefined && epoch - best.epoch >= hp.patience && epoch < hp.epochs) {
        onEvent({ type: 'early_stopped', epoch, bestEpoch: best.epoch });
        break;
      }
    }
  } catch (error) {
    // Cancelled or failed: free the tensors here, because an in-process caller lives on.
    best?.weights.forEach((weight) => weight.dispose());
    model.dispose();
    throw error;
  } finally {
    classWeights.dispose();
    optimizer.dispose();
  }

  const bestEpoch = best?.epoch ?? 0;
  if (best !== undefined) {
    model.setWeights(best.weights);
    best.weights.forEach((weight) => weight.dispose());
  }
  return { model, tokenizer, history, bestEpoch };
}

/** Encodes texts to unpadded ids and label indexes. */
export function encodeExamples(
  tokenizer: Tokenizer,
  labels: readonly string[],
  examples: readonly LabeledText[],
): EncodedExample[] {
  const index = new Map(labels.map((label, position) => [label, position]));
  return examples.map((example) => {
    const label = index.get(example.label);
    if (label === undefined) {
      throw new Error(`label "${example.label}" is not one of ${labels.join(', ')}`);
    }
    return { ids: tokenizer.encode(example.text).ids, label };
  });
}

/**
 * Computes the loss weight of each label index. `balanced` gives label c the weight
 * n / (k · n_c), as scikit-learn does, and 0 to a label with no training examples.
 */
export function computeClassWeights(
  examples: readonly EncodedExample[],
  labelCount: number,
  hp: ClassifierHyperparameters,
): number[] {
  if (hp.classWeighting === 'none') {
    return new Array<number>(labelCount).fill(1);
  }
  const counts = new Array<number>(labelCount).fill(0);
  for (const example of examples) counts[example.label] = (counts[example.label] as number) + 1;
  return counts.map((count) => (count === 0 ? 0 : examples.length / (labelCount * count)));
}

/**
 * Trains `model` for one pass over `batches`: one Adam step per batch on the weighted
 * cross-entropy, with gradients clipped to `clipNorm`. Returns the mean loss and accuracy of
 * the batches during the pass. `bench/training.ts` times training steps with it.
 */
export async function fitEpoch(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  batches: readonly Batch[],
  { classWeights, labelCount, clipNorm }: StepOptions,
  isCancelled: () => boolean,
  onBatch: (batch: number, loss: number) => void,
): Promise<{ loss: number; accuracy: number }> {
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for (const [position, batch] of batches.entries()) {
    if (isCancelled()) {
      throw new TrainingCancelledError();
    }
    const x = tf.tensor2d(batch.ids, [batch.size, batch.sequenceLength], 'int32');
    const y = tf.tidy(() =>
      tf.oneHot(tf.tensor1d(batch.labels, 'int32'), labelCount),
    ) as tf.Tensor2D;
    let hits: tf.Scalar | undefined;
    const { value: cost, grads } = optimizer.computeGradients(() => {
      const probabilities = model.apply(x, { training: true }) as tf.Tensor2D;
      const matches = tf.equal(tf.argMax(probabilities, 1), tf.argMax(y, 1));
      hits = tf.keep(tf.sum(tf.cast(matches, 'int32')) as tf.Scalar);
      return weightedCrossEntropy(probabilities, y, classWeights);
    });
    const clipped = clipByGlobalNorm(grads, clipNorm);
    optimizer.applyGradients(clipped);
    tf.dispose([...Object.values(grads), ...Object.values(clipped)]);
    const loss = (await cost.data())[0] as number;
    correct += (await (hits as tf.Scalar).data())[0] as number;
    tf.dispose([x, y, cost, hits as tf.Scalar]);
    lossSum += loss * batch.size;
    seen += batch.size;
    onBatch(position + 1, loss);
    // Let the worker's message port deliver a cancellation between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { loss: lossSum / Math.max(1, seen), accuracy: correct / Math.max(1, seen) };
}

export interface StepOptions {
  classWeights: tf.Tensor1D;
  labelCount: number;
  clipNorm: number;
}

/** Scales all gradients by one factor so that their global L2 norm is at most `clipNorm`. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((grad) => tf.sum(tf.square(grad)));
    const norm = tf.sqrt(tf.addN(squares));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    return Object.fromEntries(
      Object.entries(grads).map(([name, grad]) => [name, tf.mul(grad, scale)]),
    );
  });
}

function weightedCrossEntropy(
  probabilities: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  classWeights: tf.Tensor1D,
): tf.Scalar {
  const clipped = tf.clipByValue(probabilities, 1e-7, 1 - 1e-7);
  const perExample = tf.neg(tf.sum(tf.mul(oneHot, tf.log(clipped)), 1));
  const weights = tf.sum(tf.mul(oneHot, classWeights), 1);
  return tf.div(tf.sum(tf.mul(perExample, weights)), tf.sum(weights)) as tf.Scalar;
}

/** Class probabilities of every example of `batches`, in batch order, row-major. */
export function predictBatches(
  model: tf.LayersModel,
  batches: readonly Batch[],
  labelCount: number,
): Float32Array {
  const total = batches.reduce((count, batch) => count + batch.size, 0);
  const output = new Float32Array(total * labelCount);
  let offset = 0;
  for (const batch of batches) {
    const probabilities = tf.tidy(() => {
      const x = tf.tensor2d(batch.ids, [batch.size, batch.sequenceLength], 'int32');
      return model.predict(x) as tf.Tensor2D;
    });
    output.set(probabilities.dataSync(), offset);
    offset += batch.size * labelCount;
    probabilities.dispose();
  }
  return output;
}

function evaluateBatches(
  model: tf.LayersModel,
  batches: readonly Batch[],
  labelCount: number,
): { loss: number; accuracy: number } {
  const probabilities = predictBatches(model, batches, labelCount);
  const labels = batches.flatMap((batch) => Array.from(batch.labels));
  let loss = 0;
  let correct = 0;
  labels.forEach((label, row) => {
    const scores = probabilities.subarray(row * labelCount, (row + 1) * labelCount);
    loss -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, scores[label] as number)));
    if (argMax(scores) === label) correct++;
  });
  return {
    loss: loss / Math.max(1, labels.length),
    accuracy: correct / Math.max(1, labels.length),
  };
}

export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as number) > (values[best] as number)) best = i;
  }
  return best;
}

/** Raised inside a training run when its caller cancelled it. */
export class TrainingCancelledError extends Error {
  constructor() {
    super('training was cancelled');
    this.name = 'TrainingCancelledError';
  }
}
