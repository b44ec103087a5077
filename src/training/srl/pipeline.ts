import { MaasError } from '../../errors/index.js';
import type { ArgumentReport } from '../evaluation/argument-report.js';
import {
  parseSemanticRoleText,
  type SemanticRoleDataset,
  type SemanticRoleReadOptions,
} from '../datasets/conllu-srl.js';
import { readUtf8File } from '../datasets/text-file.js';
import {
  type SequenceTrainingOutcome,
  type SequenceTrainingRequest,
  type WithStartedSizes,
} from '../sequence/worker-pipeline.js';
import { groupBySentence, roleSet, splitSrlSentences, type SrlExample } from './instances.js';
import { DEFAULT_SRL_HYPERPARAMETERS, type SrlHyperparameters } from './model.js';
import { writeSrlTaggerArtifacts } from './register.js';
import { trainSrlTagger, type SrlEpochMetrics, type SrlTrainingEvent } from './train.js';

/** A CoNLL-U file with PropBank columns and the settings to read it with. */
export interface ConlluFile {
  file: string;
  readOptions: SemanticRoleReadOptions;
}

/** Everything a training worker needs to train a role tagger, as plain data. */
export type SrlTrainingRequest = SequenceTrainingRequest<ConlluFile, SrlHyperparameters>;

/** Events of a role tagger run in a worker. Its `started` event adds the validation size and epochs. */
export type SrlPipelineEvent = WithStartedSizes<
  SrlTrainingEvent,
  { validationPredicates: number; epochs: number }
>;

/** Outcome of a role tagger run in a worker, as plain data. */
export interface SrlTrainingResult extends SequenceTrainingOutcome<
  SrlHyperparameters,
  SrlEpochMetrics,
  ArgumentReport
> {
  roles: string[];
  /** Size of the training file, for the model card. */
  dataset: {
    sentences: number;
    sentencesWithoutPredicate: number;
    predicates: number;
    tokens: number;
    roleCounts: Record<string, number>;
    senseColumn: number;
  };
  trainPredicates: number;
  validationPredicates: number;
}

/**
 * Reads the CoNLL-U files, splits off the validation sentences (seeded, as
 * {@link splitSrlSentences}), trains a role tagger and writes its ONNX export and
 * `tagger.json` into `outputDir`, checked against tfjs. A validation role that no training
 * predicate has counts as a missed argument.
 *
 * @throws MaasError `MAAS_ERR_TRAINING_INVALID` for a training predicate past `maxLength` or
 * too few sentences, and the parser's errors for an invalid file.
 */
export async function runSrlTaggerTraining(
  request: SrlTrainingRequest,
  onEvent: (event: SrlPipelineEvent) => void,
  isCancelled: () => boolean,
): Promise<SrlTrainingResult> {
  const started = Date.now();
  const dataset = await readConllu(request.training);
  const hyperparameters = { ...DEFAULT_SRL_HYPERPARAMETERS, ...request.hyperparameters };
  const { train, validation } = await splitValidation(dataset, request, hyperparameters.seed);
  rejectPredicatesPastMaxLength(train, hyperparameters.maxLength);
  const roles = roleSet(train);

  const trained = await trainSrlTagger(
    { train, validation, roles, hyperparameters },
    (event) =>
      onEvent(
        event.type === 'started'
          ? { ...event, validationPredicates: validation.length, epochs: hyperparameters.epochs }
          : event,
      ),
    isCancelled,
  );
  try {
    const onnxParity = await writeSrlTaggerArtifacts(
      trained,
      hyperparameters,
      validation,
      request.outputDir,
    );
    return {
      hyperparameters,
      roles,
      history: trained.history,
      bestEpoch: trained.bestEpoch,
      vocabularySize: trained.vocabulary.size,
      parameterCount: trained.model.countParams(),
      durationMs: Date.now() - started,
      validation: trained.validation,
      onnxParity,
      dataset: {
        sentences: dataset.stats.sentences,
        sentencesWithoutPredicate: dataset.stats.sentencesWithoutPredicate,
        predicates: dataset.stats.instances,
        tokens: dataset.stats.tokens,
        roleCounts: dataset.stats.roleCounts,
        senseColumn: dataset.stats.senseColumn,
      },
      trainSentences: countSentences(train),
      validationSentences: countSentences(validation),
      trainPredicates: train.length,
      validationPredicates: validation.length,
    };
  } finally {
    trained.model.dispose();
  }
}

async function readConllu(source: ConlluFile): Promise<SemanticRoleDataset> {
  return parseSemanticRoleText(await readUtf8File(source.file), source.readOptions);
}

async function splitValidation(
  dataset: SemanticRoleDataset,
  request: SrlTrainingRequest,
  seed: number,
): Promise<{ train: SrlExample[]; validation: SrlExample[] }> {
  const sentences = groupBySentence(dataset.instances);
  if (request.validation === undefined) {
    return splitSrlSentences(sentences, {
      testFraction: 0,
      validationFraction: request.validationFraction,
      seed,
    });
  }
  const validation = await readConllu(request.validation);
  return {
    train: sentences.flatMap((sentence) => sentence.examples),
    validation: groupBySentence(validation.instances).flatMap((sentence) => sentence.examples),
  };
}

/** Rejects training predicates that the cut of a sentence to `maxLength` tokens would drop. */
function rejectPredicatesPastMaxLength(train: readonly SrlExample[], maxLength: number): void {
  const last = train.reduce((max, example) => Math.max(max, example.predicateIndex), -1);
  if (last < maxLength) return;
  throw new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `a training predicate is token ${last + 1} of its sentence, past max_length ${maxLength}, and training keeps only the first max_length tokens; set max_length to ${last + 1} or more`,
    { param: 'hyperparameters.max_length' },
  );
}

/** Counts the sentences of examples, whose token array is shared by the examples of a sentence. */
function countSentences(examples: readonly SrlExample[]): number {
  return new Set(examples.map((example) => example.tokens)).size;
}
