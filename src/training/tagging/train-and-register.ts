import type { Registry, VersionRecord } from '../../registry/index.js';
import { assertAlias, assertModelName } from '../../registry/index.js';
import { MaasError } from '../../errors/index.js';
import { createRandom, shuffleInPlace } from '../../util/random.js';
import type { SpanReport } from '../evaluation/span-report.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS, type TaggerHyperparameters } from './model.js';
import { registerTagger } from './register.js';
import { trainTagger, type TaggedSentence, type TaggerTrainingEvent } from './train.js';

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

/** Tags of the training sentences: `O` first, then the others sorted by type and prefix. */
export function tagSet(sentences: readonly TaggedSentence[]): string[] {
  const seen = new Set<string>();
  for (const sentence of sentences) for (const tag of sentence.tags) seen.add(tag);
  seen.delete('O');
  const typeOf = (tag: string): string => tag.replace(/^[BI]-/, '');
  const sortKey = (tag: string): string => `${typeOf(tag)}\u0000${tag}`;
  const others = [...seen].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  return ['O', ...others];
}

/** Splits sentences in a seeded random order: test first, then validation, then training. */
export function splitSentences(
  sentences: readonly TaggedSentence[],
  options: { testFraction: number; validationFraction: number; seed: number },
): { train: TaggedSentence[]; validation: TaggedSentence[]; test: TaggedSentence[] } {
  const { testFraction, validationFraction, seed } = options;
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the test fraction must be at least 0 and below 1, got ${testFraction}`,
      { param: 'test_split' },
    );
  }
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the validation fraction must be above 0 and below 1, got ${validationFraction}`,
      { param: 'validation_split' },
    );
  }
  const order = shuffleInPlace(
    sentences.map((_, index) => index),
    createRandom(seed),
  );
  const testCount = Math.round(order.length * testFraction);
  const rest = order.slice(testCount);
  const validationCount = Math.max(1, Math.round(rest.length * validationFraction));
  if (rest.length - validationCount < 1) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `${sentences.length} sentences leave none for training after the test and validation parts; add sentences or lower the fractions`,
      { param: 'sentences' },
    );
  }
  const pick = (indexes: number[]): TaggedSentence[] =>
    indexes.map((index) => sentences[index] as TaggedSentence);
  return {
    test: pick(order.slice(0, testCount)),
    validation: pick(rest.slice(0, validationCount)),
    train: pick(rest.slice(validationCount)),
  };
}

/** Rejects evaluation sentences with a tag that no training sentence has, naming the tags. */
export function assertTagsSeen(
  tags: readonly string[],
  sentences: readonly TaggedSentence[],
  part: string,
): void {
  const known = new Set(tags);
  const unseen = new Set<string>();
  for (const sentence of sentences) {
    for (const tag of sentence.tags) if (!known.has(tag)) unseen.add(tag);
  }
  if (unseen.size > 0) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the ${part} sentences contain tag(s) ${[...unseen].map((tag) => `"${tag}"`).join(', ')} that no training sentence has; add training sentences with them or lower the ${part} fraction`,
      { param: 'tags' },
    );
  }
}
