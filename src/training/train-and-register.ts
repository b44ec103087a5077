import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AppContext } from '../app/context.js';
import { MaasError } from '../errors/index.js';
import { assertAlias, assertModelName, type VersionRecord } from '../registry/index.js';
import { copyFiles } from '../storage/index.js';
import type { TrainingEvent } from './classification/events.js';
import {
  resolveHyperparameters,
  type ClassifierHyperparameters,
} from './classification/hyperparameters.js';
import type { ClassifierTrainingResult } from './classification/pipeline.js';
import type { LabeledText } from './classification/train.js';
import {
  readClassificationFile,
  stratifiedSplit,
  type ClassificationReadOptions,
} from './datasets/index.js';
import { readExtraTrainFiles } from './extra-train-files.js';
import { readLabeledSplits, type LabeledFileOptions } from './labeled-file.js';
import { withTrainingOutputDir } from './output-dir.js';
import { runTrainingInWorker, throwIfCancelled } from './worker/run-in-worker.js';

export interface TrainAndRegisterOptions extends LabeledFileOptions {
  file: string;
  name: string;
  description?: string;
  /** Origin of the data, recorded in the model card (e.g. the corpus name). */
  source?: string;
  /** Files whose rows are added to the training part only; see readExtraTrainFiles. */
  extraTrainFiles?: string[];
  /** Fraction of rows held out for early stopping and model selection. */
  validationFraction: number;
  /**
   * Labeled file used whole as the validation set, in place of holding out
   * `validationFraction` of `file`. Its labels are renamed by `labelNames` too.
   */
  validationFile?: { file: string; readOptions: ClassificationReadOptions };
  /**
   * Labeled file used whole as the held-out test part, in place of holding out `testFraction`
   * of `file`. It is read with the same read options and label names as `file`.
   */
  testFile?: string;
  alias?: string;
  hyperparameters?: Partial<ClassifierHyperparameters>;
  /** The command line that started the run, recorded in the model card. */
  command?: string;
  onEvent?: (event: TrainingEvent) => void;
  signal?: AbortSignal;
  /** Time a cancelled worker gets to stop before it is terminated, in milliseconds. */
  cancelTimeoutMs?: number;
}

export interface TrainAndRegisterResult {
  version: VersionRecord;
  result: ClassifierTrainingResult;
}

/**
 * Reads a labeled file, splits it (held-out test part, then validation part, both
 * stratified and seeded), trains in a worker thread and registers the new version.
 */
export async function trainAndRegisterClassifier(
  context: AppContext,
  options: TrainAndRegisterOptions,
): Promise<TrainAndRegisterResult> {
  // Check names before training, so a typo does not cost a whole run.
  assertModelName(options.name);
  if (options.alias !== undefined) assertAlias(options.alias);
  const hyperparameters = resolveHyperparameters(options.hyperparameters);
  if (options.testFile !== undefined && (options.testFraction ?? 0) > 0) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `a test file and a test fraction of ${options.testFraction} both name the held-out rows; give one of them`,
      { param: 'test_split' },
    );
  }
  const splits = await readLabeledSplits(options.file, options, hyperparameters.seed);
  if (options.testFile !== undefined) {
    splits.test = await readValidationFile(
      { file: options.testFile, readOptions: options },
      options.labelNames,
    );
  }
  if (splits.labels.length < 2) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `a classifier needs at least 2 labels, but ${basename(options.file)} has only ${splits.labels.map((label) => `"${label}"`).join(', ')}${options.labelNames === undefined ? '' : ' after --label-names'}`,
      { param: 'labels' },
    );
  }
  const { train, validation } =
    options.validationFile === undefined
      ? splitValidation(splits.rest, options.validationFraction, hyperparameters.seed)
      : {
          train: [...splits.rest],
          validation: await readValidationFile(options.validationFile, options.labelNames),
        };
  assertLabelsSeen(train, validation, 'validation');
  assertLabelsSeen(train, splits.test, 'test');
  const extra = await readExtraTrainFiles(
    options.extraTrainFiles ?? [],
    [...splits.rest, ...splits.test],
    splits.labels,
    options,
  );
  train.push(...extra.rows);

  return withTrainingOutputDir(context.dataDir, async (outputDir) => {
    const result = await runTrainingInWorker(
      { train, validation, test: splits.test, labels: splits.labels, hyperparameters, outputDir },
      {
        onEvent: options.onEvent,
        signal: options.signal,
        terminateAfterMs: options.cancelTimeoutMs,
      },
    );
    const datasetDigest = await sha256Of(options.file);
    const modelCard = {
      description: options.description ?? null,
      architecture: hyperparameters.architecture,
      labels: splits.labels,
      training: {
        source: options.source ?? null,
        dataset: { file: basename(options.file), sha256: datasetDigest, ...splits.statistics },
        extra_train_files: extra.summaries,
        label_names: options.labelNames ?? null,
        split: {
          seed: hyperparameters.seed,
          test_fraction: options.testFraction ?? 0,
          validation_fraction:
            options.validationFile === undefined ? options.validationFraction : null,
          validation_file:
            options.validationFile === undefined ? null : basename(options.validationFile.file),
          test_file:
            options.testFile === undefined
              ? null
              : { file: basename(options.testFile), sha256: await sha256Of(options.testFile) },
          train_rows: train.length - extra.rows.length,
          extra_train_rows: extra.rows.length,
          validation_rows: validation.length,
          test_rows: splits.test.length,
        },
        hyperparameters,
        epochs_run: result.history.length,
        best_epoch: result.bestEpoch,
        history: result.history,
        duration_ms: result.durationMs,
        command: options.command ?? null,
        icu_version: process.versions.icu ?? null,
      },
      parameters: result.parameterCount,
      vocabulary_size: result.vocabularySize,
      metrics: { validation: result.validationReport, test: result.testReport ?? null },
      onnx_parity: result.onnxParity,
    };
    // A cancel that came while the export finished must not register a version.
    throwIfCancelled(options.signal);
    const version = await context.registry.createVersion({
      name: options.name,
      task: 'text-classification',
      runtime: 'onnx',
      description: options.description,
      modelCard,
      alias: options.alias,
      writeFiles: (dir) => copyFiles(outputDir, dir),
    });
    return { version, result };
  });
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Reads the rows of a validation or test file, with labels renamed as in the training file. */
async function readValidationFile(
  validation: { file: string; readOptions: ClassificationReadOptions },
  labelNames: Record<string, string> | undefined,
): Promise<LabeledText[]> {
  const dataset = await readClassificationFile(validation.file, validation.readOptions);
  return dataset.examples.map((example) => ({
    text: example.text,
    label: labelNames?.[example.label] ?? example.label,
  }));
}

function splitValidation(
  rows: LabeledText[],
  fraction: number,
  seed: number,
): { train: LabeledText[]; validation: LabeledText[] } {
  if (!(fraction > 0 && fraction < 1)) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `validation fraction must be above 0 and below 1, got ${fraction}`,
      { param: 'validation_split' },
    );
  }
  // The validation split draws with its own seed so that it does not mirror the test split.
  return stratifiedSplit(rows, { validationFraction: fraction, seed: seed + 1 });
}

/** Rejects a run whose evaluation rows contain a label that no training row has. */
function assertLabelsSeen(
  train: readonly LabeledText[],
  other: readonly LabeledText[],
  part: string,
): void {
  const seen = new Set(train.map((row) => row.label));
  const unseen = [...new Set(other.map((row) => row.label))].filter((label) => !seen.has(label));
  if (unseen.length > 0) {
    throw new MaasError(
      'MAAS_ERR_TRAINING_INVALID',
      `the ${part} rows contain label(s) ${unseen.map((label) => `"${label}"`).join(', ')} that no training row has; add training rows with that label or remove them`,
      { param: 'labels' },
    );
  }
}
