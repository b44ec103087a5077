import type { Registry, VersionRecord } from '../../registry/index.js';
import { assertAlias, assertModelName } from '../../registry/index.js';
import type { SpanReport } from '../evaluation/span-report.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS, type TaggerHyperparameters } from './model.js';
import { registerTagger } from './register.js';
import { assertTagsSeen, splitSentences, tagSet } from './split.js';
import { trainTagger, type TaggedSentence, type TaggerTrainingEvent } from './train.js';

export { assertTagsSeen, splitSentences, tagSet } from './split.js';

export interface TrainTaggerOptions {
  name: string;
  description?: string;
  alias?: string;
  /** Fraction of sentences held out as the test part, never trained on; 0 for none. */
  testFraction: number;
  /** Fraction of the remaining sentences used for early stopping. */
  validationFraction: number;
  hyperparameters?: Partial<TaggerHyperparameters>;
  /** Model card `training` fields, such as the data source and the command line. */
  training?: Record<string, unknown>;
  onEvent?: (event: TaggerTrainingEvent) => void;
  isCancelled?: () => boolean;
}

export interface TrainTaggerResult {
  version: VersionRecord;
  validation: SpanReport;
  test: SpanReport | null;
}

/**
 * Splits `sentences` (seeded, by sentence) into test, validation and training parts, trains
 * a tagger on the tags of the training part, and registers it with its reports.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` for a fraction out of range, too few
 * sentences, or a validation or test tag that no training sentence has, which it names.
 */
export async function trainAndRegisterTagger(
  registry: Registry,
  sentences: readonly TaggedSentence[],
  options: TrainTaggerOptions,
): Promise<TrainTaggerResult> {
  assertModelName(options.name);
  if (options.alias !== undefined) assertAlias(options.alias);
  const hyperparameters = { ...DEFAULT_TAGGER_HYPERPARAMETERS, ...options.hyperparameters };
  const { train, validation, test } = splitSentences(sentences, {
    testFraction: options.testFraction,
    validationFraction: options.validationFraction,
    seed: hyperparameters.seed,
  });
  const tags = tagSet(train);
  assertTagsSeen(tags, validation, 'validation');
  assertTagsSeen(tags, test, 'test');

  const trained = await trainTagger(
    { train, validation, tags, hyperparameters },
    options.onEvent,
    options.isCancelled,
  );
  try {
    const version = await registerTagger(registry, trained, {
      name: options.name,
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.alias === undefined ? {} : { alias: options.alias }),
      hyperparameters,
      tags,
      validation,
      test,
      training: {
        ...options.training,
        split: {
          seed: hyperparameters.seed,
          test_fraction: options.testFraction,
          validation_fraction: options.validationFraction,
          train_sentences: train.length,
          validation_sentences: validation.length,
          test_sentences: test.length,
        },
      },
    });
    const card = version.modelCard as { metrics: { test: SpanReport | null } };
    return { version, validation: trained.validation, test: card.metrics.test };
  } finally {
    trained.model.dispose();
  }
}
