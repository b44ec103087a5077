import type { Registry, VersionRecord } from '../../registry/index.js';
import { assertAlias, assertModelName } from '../../registry/index.js';
import type { ArgumentReport } from '../evaluation/argument-report.js';
import { roleSet, splitSrlSentences, type SrlSentence } from './instances.js';
import { DEFAULT_SRL_HYPERPARAMETERS, type SrlHyperparameters } from './model.js';
import { registerSrlTagger } from './register.js';
import { trainSrlTagger, type SrlTrainingEvent } from './train.js';

export interface TrainSrlTaggerOptions {
  name: string;
  description?: string;
  alias?: string;
  /** Fraction of sentences held out as the test part, never trained on; 0 for none. */
  testFraction: number;
  /** Fraction of the remaining sentences used for early stopping. */
  validationFraction: number;
  hyperparameters?: Partial<SrlHyperparameters>;
  /** Model card `training` fields, such as the data source and the command line. */
  training?: Record<string, unknown>;
  onEvent?: (event: SrlTrainingEvent) => void;
  isCancelled?: () => boolean;
}

export interface TrainSrlTaggerResult {
  version: VersionRecord;
  validation: ArgumentReport;
  test: ArgumentReport | null;
}

/**
 * Splits `sentences` (seeded, by sentence, so all predicates of a sentence fall in one part)
 * into test, validation and training parts, trains a role tagger on the training part and
 * registers it with its reports. A validation or test role that no training predicate has
 * counts as a missed argument.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` for a fraction out of range or too few
 * sentences.
 */
export async function trainAndRegisterSrlTagger(
  registry: Registry,
  sentences: readonly SrlSentence[],
  options: TrainSrlTaggerOptions,
): Promise<TrainSrlTaggerResult> {
  assertModelName(options.name);
  if (options.alias !== undefined) assertAlias(options.alias);
  const hyperparameters = { ...DEFAULT_SRL_HYPERPARAMETERS, ...options.hyperparameters };
  const { train, validation, test } = splitSrlSentences(sentences, {
    testFraction: options.testFraction,
    validationFraction: options.validationFraction,
    seed: hyperparameters.seed,
  });
  const roles = roleSet(train);
  const started = Date.now();
  const trained = await trainSrlTagger(
    { train, validation, roles, hyperparameters },
    options.onEvent,
    options.isCancelled,
  );
  const count = (part: typeof train): number => new Set(part.map((e) => e.tokens)).size;
  try {
    const version = await registerSrlTagger(registry, trained, {
      name: options.name,
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.alias === undefined ? {} : { alias: options.alias }),
      hyperparameters,
      validation,
      test,
      training: {
        ...options.training,
        duration_ms: Date.now() - started,
        split: {
          seed: hyperparameters.seed,
          unit: 'sentence',
          test_fraction: options.testFraction,
          validation_fraction: options.validationFraction,
          train_sentences: count(train),
          validation_sentences: count(validation),
          test_sentences: count(test),
          train_predicates: train.length,
          validation_predicates: validation.length,
          test_predicates: test.length,
        },
      },
    });
    const card = version.modelCard as { metrics: { test: ArgumentReport | null } };
    return { version, validation: trained.validation, test: card.metrics.test };
  } finally {
    trained.model.dispose();
  }
}
