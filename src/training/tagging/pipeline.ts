import { parseConllText, type TokenClassificationReadOptions } from '../datasets/conll.js';
import { readUtf8File } from '../datasets/text-file.js';
import type { SpanReport } from '../evaluation/span-report.js';
import {
  type SequenceTrainingOutcome,
  type SequenceTrainingRequest,
  type WithStartedSizes,
} from '../sequence/worker-pipeline.js';
import { writeTaggerArtifacts } from './artifacts.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS, type TaggerHyperparameters } from './model.js';
import { assertTagsSeen, splitSentences, tagSet } from './split.js';
import {
  trainTagger,
  type TaggedSentence,
  type TaggerEpochMetrics,
  type TaggerTrainingEvent,
} from './train.js';

/** A CoNLL file and the settings to read it with. */
export interface ConllFile {
  file: string;
  readOptions: TokenClassificationReadOptions;
}

/**
 * Everything a training worker needs to train a tagger, as plain data that crosses a worker.
 * A `unit` the hyperparameters leave out defaults to `character` for Chinese data, else `word`.
 */
export type TaggerTrainingRequest = SequenceTrainingRequest<ConllFile, TaggerHyperparameters>;

/** Events of a tagger run in a worker, whose `started` event adds the validation size and epochs. */
export type TaggerPipelineEvent = WithStartedSizes<
  TaggerTrainingEvent,
  { validationSentences: number; epochs: number }
>;

/** Outcome of a tagger run in a worker, as plain data. */
export interface TaggerTrainingResult extends SequenceTrainingOutcome<
  TaggerHyperparameters,
  TaggerEpochMetrics,
  SpanReport
> {
  tags: string[];
  /** Size of the training file, for the model card. */
  dataset: { sentences: number; tokens: number; repairedTags: number };
}

/**
 * Reads the CoNLL files, splits off the validation sentences (seeded, as
 * {@link splitSentences}), trains a tagger and writes its ONNX export and `tagger.json` into
 * `outputDir`, checked against tfjs.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` for a validation tag that no training
 * sentence has, and the parser's errors for an invalid file.
 */
export async function runTaggerTraining(
  request: TaggerTrainingRequest,
  onEvent: (event: TaggerPipelineEvent) => void,
  isCancelled: () => boolean,
): Promise<TaggerTrainingResult> {
  const started = Date.now();
  const dataset = parseConllText(
    await readUtf8File(request.training.file),
    request.training.readOptions,
  );
  const hyperparameters: TaggerHyperparameters = {
    ...DEFAULT_TAGGER_HYPERPARAMETERS,
    // Chinese NER files tag one character per line; others tag words.
    unit: dataset.stats.languageHint === 'zh' ? 'character' : 'word',
    ...request.hyperparameters,
  };
  const { train, validation } = await splitValidation(dataset.sentences, request, hyperparameters);
  const tags = tagSet(train);
  assertTagsSeen(tags, validation, 'validation');

  const trained = await trainTagger(
    { train, validation, tags, hyperparameters },
    (event) =>
      onEvent(
        event.type === 'started'
          ? { ...event, validationSentences: validation.length, epochs: hyperparameters.epochs }
          : event,
      ),
    isCancelled,
  );
  try {
    const onnxParity = await writeTaggerArtifacts(
      trained,
      hyperparameters,
      tags,
      validation,
      request.outputDir,
    );
    return {
      hyperparameters,
      tags,
      history: trained.history,
      bestEpoch: trained.bestEpoch,
      vocabularySize: trained.vocabulary.size,
      parameterCount: trained.model.countParams(),
      durationMs: Date.now() - started,
      validation: trained.validation,
      onnxParity,
      dataset: {
        sentences: dataset.stats.sentences,
        tokens: dataset.stats.tokens,
        repairedTags: dataset.stats.repairedTags,
      },
      trainSentences: train.length,
      validationSentences: validation.length,
    };
  } finally {
    trained.model.dispose();
  }
}

async function splitValidation(
  sentences: readonly TaggedSentence[],
  request: TaggerTrainingRequest,
  hyperparameters: TaggerHyperparameters,
): Promise<{ train: TaggedSentence[]; validation: TaggedSentence[] }> {
  if (request.validation === undefined) {
    return splitSentences(sentences, {
      testFraction: 0,
      validationFraction: request.validationFraction,
      seed: hyperparameters.seed,
    });
  }
  const validation = parseConllText(
    await readUtf8File(request.validation.file),
    request.validation.readOptions,
  );
  return { train: [...sentences], validation: validation.sentences };
}
