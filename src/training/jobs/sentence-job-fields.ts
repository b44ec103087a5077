import type { DatasetRecord } from '../dataset-store/index.js';
import type { JobRecord } from './job-record.js';

/** Result fields that every sentence-level trainer (tagger, role tagger) reports. */
export interface SentenceJobResult {
  hyperparameters: { seed: number };
  trainSentences: number;
  validationSentences: number;
  durationMs: number;
}

/** Fields that one kind of sentence job adds to the shared model card fields. */
export interface SentenceJobExtras {
  /** Dataset statistics after `file` and `sha256`. */
  dataset: Record<string, unknown>;
  /** Split fields after `seed`, such as the unit of the split. */
  splitHead?: Record<string, unknown>;
  /** Split fields after the sentence counts, such as predicate counts. */
  splitTail?: Record<string, unknown>;
}

/**
 * Returns the model card `training` fields of a sentence-level job: the dataset, the split
 * and the job that trained it.
 */
export function sentenceJobTrainingFields(
  job: JobRecord,
  dataset: DatasetRecord,
  validation: DatasetRecord | undefined,
  result: SentenceJobResult,
  extras: SentenceJobExtras,
): Record<string, unknown> {
  return {
    source: `dataset ${dataset.name} (${dataset.id})`,
    dataset: {
      file: dataset.name,
      // A dataset's id is the SHA-256 of its bytes.
      sha256: dataset.id,
      ...extras.dataset,
    },
    split: {
      seed: result.hyperparameters.seed,
      ...extras.splitHead,
      test_fraction: 0,
      validation_fraction: validation === undefined ? job.validationSplit : null,
      validation_dataset: validation === undefined ? null : validation.id,
      train_sentences: result.trainSentences,
      validation_sentences: result.validationSentences,
      test_sentences: 0,
      ...extras.splitTail,
    },
    duration_ms: result.durationMs,
    command: `training job ${job.id}`,
  };
}
