import { tf, useWasmBackend } from '../../runtimes/tfjs/backend.js';
import { Vocabulary } from '../../text/index.js';
import { createRandom } from '../../util/random.js';
import { clipByGlobalNorm, TrainingCancelledError } from '../classification/train.js';
import { computeSpanReport, type SpanReport } from '../evaluation/span-report.js';
import { registerTrainingKernels } from '../kernels/index.js';
import { cutLengthSortedBatches } from '../sequence/batches.js';
import { BestEpoch } from '../sequence/best-epoch.js';
import { maskedCrossEntropy } from '../sequence/loss.js';
import { bioConstraints, crfNegativeLogLikelihood, type CrfParameters } from './crf.js';
import { decodeTags } from './decode.js';
import { buildTagger, createCrfVariables, type TaggerHyperparameters } from './model.js';
import {
  createTokenEncoder,
  wordFeatureConfig,
  vocabularyKeyOf,
  type TokenEncoder,
  type WordFeatureConfig,
} from './word-features.js';

/** A sentence with one tag per token, as a CoNLL file gives it. */
export interface TaggedSentence {
  tokens: readonly string[];
  tags: readonly string[];
}

export interface TaggerTrainingInput {
  train: readonly TaggedSentence[];
  validation: readonly TaggedSentence[];
  /** Tag names; a tag's index in this list is its output unit. */
  tags: readonly string[];
  hyperparameters: TaggerHyperparameters;
}

/** Metrics of one finished tagger epoch. */
export interface TaggerEpochMetrics {
  epoch: number;
  loss: number;
  valF1: number;
  valTokenAccuracy: number;
  elapsedMs: number;
}

export type TaggerTrainingEvent =
  | { type: 'started'; trainSentences: number; vocabularySize: number; batchesPerEpoch: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | ({ type: 'epoch'; epochs: number; improved: boolean } & TaggerEpochMetrics)
  | { type: 'early_stopped'; epoch: number; bestEpoch: number };

export interface TrainedTagger {
  model: tf.LayersModel;
  vocabulary: Vocabulary;
  /** Character features of a word tagger; null when the model takes plain vocabulary ids. */
  features: WordFeatureConfig | null;
  /** CRF weights of a `bilstm-crf` tagger; null for `bilstm`. */
  crf: CrfParameters | null;
  history: TaggerEpochMetrics[];
  /** Epoch whose weights the model holds: the one with the best validation span F1. */
  bestEpoch: number;
  /** Span report of the validation set at the best epoch. */
  validation: SpanReport;
}

/**
 * An encoded piece of a sentence, at most `maxLength` tokens long: the encoder's ids,
 * `[tokens, width]` row-major, and one tag index per token.
 */
interface EncodedSentence {
  ids: Int32Array;
  tags: number[];
}

/** The shortest padded batch; tfjs-layers 4.22 fails on the gradient of one LSTM step. */
const MIN_STEPS = 2;

/**
 * Trains a BiLSTM or BiLSTM-CRF tagger with Adam, evaluates the span F1 of the validation
 * sentences after every epoch, stops after `patience` epochs without improvement and
 * restores the best weights.
 */
export async function trainTagger(
  input: TaggerTrainingInput,
  onEvent: (event: TaggerTrainingEvent) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<TrainedTagger> {
  await useWasmBackend();
  registerTrainingKernels();
  const hp = input.hyperparameters;
  const tagIndex = new Map(input.tags.map((tag, index) => [tag, index]));
  const features = wordFeatureConfig(hp);
  const keyOf = vocabularyKeyOf(features);
  const vocabulary = Vocabulary.build(
    input.train.map((sentence) => sentence.tokens.map(keyOf)),
    { minCount: hp.minCount, maxSize: hp.vocabularySize },
  );
  const encoder = createTokenEncoder(vocabulary, features);
  const train = input.train.flatMap((sentence) =>
    encodeSentence(sentence, vocabulary, tagIndex, hp.maxLength, encoder),
  );
  const model = buildTagger(hp, vocabulary.size, input.tags.length);
  const crf = hp.architecture === 'bilstm-crf' ? createCrfVariables(input.tags.length) : null;
  const optimizer = tf.train.adam(hp.learningRate);
  const random = createRandom(hp.seed);
  const batchesPerEpoch = Math.ceil(train.length / hp.batchSize);
  onEvent({
    type: 'started',
    trainSentences: input.train.length,
    vocabularySize: vocabulary.size,
    batchesPerEpoch,
  });

  const history: TaggerEpochMetrics[] = [];
  const best = new BestEpoch<SpanReport>();
  const variables = (): tf.Variable[] => trainableVariables(model, crf);
  try {
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const started = Date.now();
      const batches = cutLengthSortedBatches(
        train,
        hp.batchSize,
        random,
        (sentence) => sentence.tags.length,
        (rows) => padBatch(rows, encoder.width),
      );
      let lossSum = 0;
      for (const [position, batch] of batches.entries()) {
        if (isCancelled()) throw new TrainingCancelledError();
        const loss = trainStep(model, crf, optimizer, batch, hp.clipNorm, variables());
        lossSum += loss;
        onEvent({ type: 'batch', epoch, batch: position + 1, batches: batches.length, loss });
        await new Promise((resolve) => setImmediate(resolve));
      }
      const crfParameters = crf === null ? null : await readCrf(crf);
      const report = evaluateTagger(
        model,
        crfParameters,
        vocabulary,
        input.tags,
        input.validation,
        features,
      );
      const metrics: TaggerEpochMetrics = {
        epoch,
        loss: lossSum / Math.max(1, batches.length),
        valF1: report.overall.f1,
        valTokenAccuracy: report.token_accuracy,
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
    crf?.variables.forEach((variable) => variable.dispose());
    throw error;
  } finally {
    optimizer.dispose();
  }

  const { epoch: bestEpoch, report: validation } = best.restore(variables());
  const crfParameters = crf === null ? null : await readCrf(crf);
  crf?.variables.forEach((variable) => variable.dispose());
  return {
    model,
    vocabulary,
    features,
    crf: crfParameters,
    history,
    bestEpoch,
    validation,
  };
}

/**
 * Encodes a sentence to ids and tag indexes, cut into pieces of at most `maxLength` tokens.
 * `encoder` defaults to plain vocabulary ids.
 *
 * @throws Error naming the tag when a sentence has a tag outside the tag set.
 */
export function encodeSentence(
  sentence: TaggedSentence,
  vocabulary: Vocabulary,
  tagIndex: ReadonlyMap<string, number>,
  maxLength: number,
  encoder: TokenEncoder = createTokenEncoder(vocabulary, null),
): EncodedSentence[] {
  const ids = encoder.encode(sentence.tokens);
  const tags = sentence.tags.map((tag) => {
    const index = tagIndex.get(tag);
    if (index === undefined) {
      throw new Error(`tag "${tag}" is not one of ${[...tagIndex.keys()].join(', ')}`);
    }
    return index;
  });
  const pieces: EncodedSentence[] = [];
  for (let start = 0; start < tags.length; start += maxLength) {
    pieces.push({
      ids: ids.slice(start * encoder.width, (start + maxLength) * encoder.width),
      tags: tags.slice(start, start + maxLength),
    });
  }
  return pieces;
}

/**
 * A padded batch, row-major: ids `[size, steps, width]`, tag indexes and mask
 * `[size, steps]`.
 */
export interface TaggerBatch {
  ids: Int32Array;
  tags: Int32Array;
  mask: Float32Array;
  size: number;
  steps: number;
  width: number;
}

function padBatch(rows: readonly EncodedSentence[], width: number): TaggerBatch {
  const steps = Math.max(MIN_STEPS, ...rows.map((row) => row.tags.length));
  const ids = new Int32Array(rows.length * steps * width);
  const tags = new Int32Array(rows.length * steps);
  const mask = new Float32Array(rows.length * steps);
  rows.forEach((row, index) => {
    ids.set(row.ids, index * steps * width);
    tags.set(row.tags, index * steps);
    mask.fill(1, index * steps, index * steps + row.tags.length);
  });
  return { ids, tags, mask, size: rows.length, steps, width };
}

/** Returns the ids of a batch as the model's input tensor, with a feature axis if any. */
function batchInput(batch: TaggerBatch): tf.Tensor {
  if (batch.width === 1) return tf.tensor2d(batch.ids, [batch.size, batch.steps], 'int32');
  return tf.tensor3d(batch.ids, [batch.size, batch.steps, batch.width], 'int32');
}

/** Returns the variables a tagger's optimizer updates: the network's, then the CRF's. */
export function trainableVariables(
  model: tf.LayersModel,
  crf: ReturnType<typeof createCrfVariables> | null,
): tf.Variable[] {
  return [
    ...model.trainableWeights.map((weight) => weight.read() as tf.Variable),
    ...(crf?.variables ?? []),
  ];
}

/**
 * Runs one Adam step on `batch`: the CRF negative log-likelihood when `crf` is given, else
 * the masked cross-entropy, with gradients clipped to `clipNorm`. Returns the loss.
 */
export function trainStep(
  model: tf.LayersModel,
  crf: ReturnType<typeof createCrfVariables> | null,
  optimizer: tf.Optimizer,
  batch: TaggerBatch,
  clipNorm: number,
  variables: tf.Variable[],
): number {
  const shape: [number, number] = [batch.size, batch.steps];
  return tf.tidy(() => {
    const x = batchInput(batch);
    const tags = tf.tensor2d(batch.tags, shape, 'int32');
    const mask = tf.tensor2d(batch.mask, shape);
    const { value, grads } = optimizer.computeGradients(() => {
      const output = model.apply(x, { training: true }) as tf.Tensor3D;
      if (crf !== null) return crfNegativeLogLikelihood(output, tags, mask, crf);
      return maskedCrossEntropy(output, tags, mask);
    }, variables);
    optimizer.applyGradients(clipByGlobalNorm(grads, clipNorm));
    return value.dataSync()[0] as number;
  });
}

async function readCrf(crf: ReturnType<typeof createCrfVariables>): Promise<CrfParameters> {
  return {
    transitions: (await crf.transitions.array()) as number[][],
    start: (await crf.start.array()) as number[],
    end: (await crf.end.array()) as number[],
  };
}

/** Tags `sentences` with the model and scores the spans against their gold tags. */
export function evaluateTagger(
  model: tf.LayersModel,
  crf: CrfParameters | null,
  vocabulary: Vocabulary,
  tags: readonly string[],
  sentences: readonly TaggedSentence[],
  features: WordFeatureConfig | null = null,
): SpanReport {
  const predicted = predictTags(model, crf, vocabulary, tags, sentences, features);
  return computeSpanReport(
    sentences.map((sentence) => sentence.tags),
    predicted,
  );
}

/**
 * Predicts a tag for every token of `sentences`, 64 sentences per batch. `features` must be
 * the character features the model was trained with, if any.
 */
export function predictTags(
  model: tf.LayersModel,
  crf: CrfParameters | null,
  vocabulary: Vocabulary,
  tags: readonly string[],
  sentences: readonly TaggedSentence[],
  features: WordFeatureConfig | null = null,
): string[][] {
  const constraints = bioConstraints(tags);
  const encoder = createTokenEncoder(vocabulary, features);
  const output: string[][] = [];
  for (let first = 0; first < sentences.length; first += 64) {
    const rows = sentences.slice(first, first + 64).map((sentence) => ({
      ids: encoder.encode(sentence.tokens),
      tags: sentence.tokens.map(() => 0),
    }));
    const batch = padBatch(rows, encoder.width);
    const scores = tf.tidy(() =>
      (model.predict(batchInput(batch)) as tf.Tensor).dataSync(),
    ) as Float32Array;
    rows.forEach((row, index) => {
      const width = tags.length;
      const rowScores = scores.subarray(
        index * batch.steps * width,
        (index + 1) * batch.steps * width,
      );
      const path = decodeTags(rowScores, row.tags.length, width, crf, constraints);
      output.push(path.map((tag) => tags[tag] as string));
    });
  }
  return output;
}
