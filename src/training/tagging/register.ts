import type { Registry, VersionRecord } from '../../registry/index.js';
import { computeSpanReport, type SpanReport } from '../evaluation/span-report.js';
import { sequenceModelCard, type SequenceCardFields } from '../sequence/model-card.js';
import { registerStagedVersion } from '../sequence/register-staged.js';
import { writeTaggerArtifacts } from './artifacts.js';
import type { TaggerHyperparameters } from './model.js';
import {
  predictTags,
  type TaggedSentence,
  type TaggerEpochMetrics,
  type TrainedTagger,
} from './train.js';

export interface RegisterTaggerOptions {
  name: string;
  description?: string;
  alias?: string;
  hyperparameters: TaggerHyperparameters;
  tags: readonly string[];
  validation: readonly TaggedSentence[];
  /** Held-out sentences never trained on; their span report goes into the model card. */
  test?: readonly TaggedSentence[];
  /** Model card `training` fields: data source, split, command and the like. */
  training?: Record<string, unknown>;
  /** Span types left out of the scores, such as `V` for semantic role labeling. */
  ignoreTypes?: readonly string[];
}

/**
 * Exports a trained tagger to ONNX, checks the export against tfjs, evaluates the test
 * sentences and registers a `token-classification` version whose model card contains the
 * reports.
 */
export async function registerTagger(
  registry: Registry,
  trained: TrainedTagger,
  options: RegisterTaggerOptions,
): Promise<VersionRecord> {
  const version = { ...options, task: 'token-classification' };
  return registerStagedVersion(registry, 'maas-tagger-', version, async (staging) => {
    const parity = await writeTaggerArtifacts(
      trained,
      options.hyperparameters,
      options.tags,
      options.validation,
      staging,
    );
    let test: SpanReport | null = null;
    if (options.test !== undefined && options.test.length > 0) {
      const predicted = predictTags(
        trained.model,
        trained.crf,
        trained.vocabulary,
        options.tags,
        options.test,
        trained.features,
      );
      test = computeSpanReport(
        options.test.map((sentence) => sentence.tags),
        predicted,
        { ignoreTypes: options.ignoreTypes ?? [] },
      );
    }
    return taggerModelCard({
      ...options,
      bestEpoch: trained.bestEpoch,
      history: trained.history,
      vocabularySize: trained.vocabulary.size,
      validation: trained.validation,
      test,
      onnxParity: parity,
    });
  });
}

/** Outcome of a tagger training run, as its model card records it. */
export interface TaggerCardFields extends SequenceCardFields<
  TaggerHyperparameters,
  TaggerEpochMetrics,
  SpanReport
> {
  tags: readonly string[];
}

/** Builds the `model-card.json` of a tagger version. */
export function taggerModelCard(fields: TaggerCardFields): Record<string, unknown> {
  return sequenceModelCard(fields, {
    architecture: fields.hyperparameters.architecture,
    labels: fields.tags,
  });
}
