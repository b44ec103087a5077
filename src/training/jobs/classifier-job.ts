import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import type { TrainingEvent } from '../classification/events.js';
import {
  resolveHyperparameters,
  type ClassifierArchitecture,
  type ClassifierHyperparameters,
} from '../classification/hyperparameters.js';
import type { DatasetRecord } from '../dataset-store/index.js';
import type { ClassificationFormat, ClassificationReadOptions } from '../datasets/index.js';
import { trainAndRegisterClassifier } from '../train-and-register.js';
import type { EventWriter } from './event-writer.js';
import type { JobRecord } from './job-record.js';
import type { JobTrainer } from './job-trainer.js';
import { jobReport, readJobDatasets } from './job-run.js';
import { estimateClassifierParameters } from './parameter-estimate.js';

/** Hyperparameters a classifier job takes, by their snake_case request names. */
const HYPERPARAMETER_NAMES: Readonly<Record<string, string>> = {
  max_length: 'maxLength',
  segmentation: 'segmentation',
  word_ngrams: 'wordNgrams',
  char_ngrams: 'charNgrams',
  lowercase: 'lowercase',
  vocabulary_size: 'vocabularySize',
  min_count: 'minCount',
  embedding_dim: 'embeddingDim',
  embedding_dtype: 'embeddingDtype',
  units: 'units',
  dropout: 'dropout',
  input_dropout: 'inputDropout',
  kernel_sizes: 'kernelSizes',
  encoder_layers: 'encoderLayers',
  attention_heads: 'attentionHeads',
  clip_norm: 'clipNorm',
  batch_size: 'batchSize',
  epochs: 'epochs',
  learning_rate: 'learningRate',
  patience: 'patience',
  class_weighting: 'classWeighting',
  seed: 'seed',
};

/** Job fields whose name differs from the snake_case form of their `maas train` flag. */
const FIELDS_OF_FLAGS: Readonly<Record<string, string>> = { class_weights: 'class_weighting' };

/** Trainer of `text-classification` jobs: the classifiers of `maas train`. */
export const CLASSIFIER_JOB_TRAINER: JobTrainer = {
  datasetKind: 'text-classification',
  modelTask: 'text-classification',
  datasetHint: 'a csv, tsv or jsonl file of labeled texts',

  checkHyperparameters(architecture, hyperparameters) {
    const camel = toCamelCase(hyperparameters, HYPERPARAMETER_NAMES);
    try {
      resolveHyperparameters({ ...camel, architecture: architecture as ClassifierArchitecture });
    } catch (error) {
      throw withRequestName(error);
    }
    return camel;
  },

  estimateParameters(architecture, hyperparameters) {
    return estimateClassifierParameters(architecture, hyperparameters);
  },

  async checkData(_store, { training, validation }) {
    if (training.labels.length < 2) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `a classifier needs at least 2 labels, but dataset ${training.id} has only ${training.labels.map((label) => JSON.stringify(label)).join(', ')}`,
        { param: 'dataset_id' },
      );
    }
    if (validation === undefined) return;
    const known = new Set(training.labels);
    const unseen = validation.labels.filter((label) => !known.has(label));
    if (unseen.length > 0) {
      const names = unseen.map((label) => JSON.stringify(label)).join(', ');
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `the validation dataset has label(s) ${names} that no training row has; add training rows with them or remove them from the validation dataset`,
        { param: 'validation_dataset_id', details: { labels: unseen } },
      );
    }
  },

  async run(context: AppContext, job: JobRecord, { events, signal, cancelTimeoutMs }) {
    const { training: dataset, validation } = await readJobDatasets(context, job);
    const { version, result } = await trainAndRegisterClassifier(context, {
      ...classificationOptions(dataset),
      file: context.datasets.filePath(dataset),
      name: job.modelName,
      ...(job.alias === null ? {} : { alias: job.alias }),
      validationFraction: job.validationSplit,
      ...(validation === undefined
        ? {}
        : {
            validationFile: {
              file: context.datasets.filePath(validation),
              readOptions: classificationOptions(validation),
            },
          }),
      hyperparameters: {
        ...(job.hyperparameters as Partial<ClassifierHyperparameters>),
        architecture: job.architecture as ClassifierHyperparameters['architecture'],
      },
      source: `dataset ${dataset.name} (${dataset.id})`,
      command: `training job ${job.id}`,
      onEvent: (event) => writeClassifierEvent(events, event),
      signal,
      cancelTimeoutMs,
    });
    return { version, report: jobReport(version, result, result.validationReport) };
  },
};

/** Writes the job event of a classifier event; early-stop events are not stored. */
function writeClassifierEvent(events: EventWriter, event: TrainingEvent): void {
  switch (event.type) {
    case 'started':
      events.started({
        train_rows: event.trainExamples,
        validation_rows: event.validationExamples,
        vocabulary_size: event.vocabularySize,
        batches_per_epoch: event.batchesPerEpoch,
        epochs: event.epochs,
      });
      break;
    case 'batch':
      events.batch(event);
      break;
    case 'epoch':
      events.write({
        type: 'epoch',
        data: {
          epoch: event.epoch,
          epochs: event.epochs,
          loss: event.loss,
          accuracy: event.accuracy,
          val_loss: event.valLoss,
          val_accuracy: event.valAccuracy,
          elapsed_ms: event.elapsedMs,
          improved: event.improved,
        },
      });
      break;
  }
}

/** Read settings of a classification dataset for the trainer. */
function classificationOptions(dataset: DatasetRecord): ClassificationReadOptions {
  return {
    format: dataset.format as ClassificationFormat,
    textColumn: dataset.readOptions.textColumn,
    labelColumn: dataset.readOptions.labelColumn,
    header: dataset.readOptions.header,
  };
}

/**
 * Maps snake_case hyperparameter names to the trainer's camelCase ones.
 *
 * @throws MaasError MAAS_ERR_REQUEST_INVALID naming an unknown hyperparameter.
 */
export function toCamelCase(
  hyperparameters: Record<string, unknown>,
  names: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(hyperparameters)) {
    const camel = Object.hasOwn(names, name) ? names[name] : undefined;
    if (camel === undefined) {
      const field = FIELDS_OF_FLAGS[name];
      const hint =
        field !== undefined && Object.hasOwn(names, field)
          ? `use ${field}, the field of maas train --${name.replaceAll('_', '-')}`
          : `known: ${Object.keys(names).join(', ')}`;
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `hyperparameters.${name} is not a known hyperparameter; ${hint}`,
        { param: `hyperparameters.${name}` },
      );
    }
    result[camel] = value;
  }
  return result;
}

/**
 * Rewrites a hyperparameter error of the trainer, which names the camelCase field, to name
 * the snake_case field of the request, e.g. `hyperparameters.learning_rate`.
 */
function withRequestName(error: unknown): unknown {
  if (!(error instanceof MaasError) || error.param === undefined) return error;
  const camel = error.param;
  const snake = Object.keys(HYPERPARAMETER_NAMES).find(
    (name) => HYPERPARAMETER_NAMES[name] === camel,
  );
  if (snake === undefined) return error;
  return new MaasError(
    error.code,
    error.message.replace(`hyperparameter ${camel}=`, `hyperparameters.${snake}=`),
    { param: `hyperparameters.${snake}`, cause: error },
  );
}
