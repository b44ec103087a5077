import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import type { AppContext } from '../app/context.js';
import type { TrainingEvent } from '../training/classification/events.js';
import {
  CLASSIFIER_ARCHITECTURES,
  defaultHyperparameters,
  CLASS_WEIGHTING,
  EMBEDDING_DTYPES,
  type ClassifierHyperparameters,
} from '../training/classification/hyperparameters.js';
import { formatClassificationReport } from '../training/evaluation/classification-report.js';
import { trainAndRegisterClassifier } from '../training/train-and-register.js';
import { DEFAULT_TAGGER_HYPERPARAMETERS, TAGGER_ARCHITECTURES } from '../training/tagging/model.js';
import { rejectFlagsOfOtherTasks } from './task-flags.js';
import { runTaggerTraining, taggerHyperparameters } from './train-tagger.js';
import { checkSrlArchitecture, runSrlTraining, srlFlagValues } from './train-srl.js';
import {
  runSrlTrainingOnServer,
  runTaggerTrainingOnServer,
  runTrainingOnServer,
} from './train-remote.js';
import { readFileOptions, addFileOptions } from './file-options.js';
import { parseFraction, parseInteger, parseIntegerList, parseNumber } from './parse.js';
import { addDataOptions, withCommandContext } from './settings-options.js';

export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train <file>')
    .description('train a model on a labeled file and register it as a new version')
    .addOption(
      new Option(
        '--task <task>',
        'task of the model; token-classification reads a CoNLL file (a token and its BIO tag per line), semantic-role-labeling a CoNLL-U file with PropBank columns',
      )
        .choices(['text-classification', 'token-classification', 'semantic-role-labeling'])
        .default('text-classification'),
    )
    .requiredOption('--name <model>', 'model name in the registry')
    .addOption(
      new Option(
        '--architecture <name>',
        'text classification: lstm (default), bilstm (both LSTMs bidirectional), gru, rnn (simple RNN), fasttext (bag of word and character n-grams), textcnn (convolutions of several widths with max pooling) or transformer (self-attention encoder); token classification: bilstm-crf (default) or bilstm (softmax per token)',
      ).choices([...new Set([...CLASSIFIER_ARCHITECTURES, ...TAGGER_ARCHITECTURES])]),
    )
    .option('--description <text>', 'model description')
    .option('--source <text>', 'where the data came from, recorded in the model card')
    .option('--alias <alias>', 'alias to point at the new version, e.g. production')
    .option(
      '--extra-train-file <file>',
      'add the rows of another labeled file to the training part only, without rows whose text occurs in <file>; repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--test-file <file>',
      'labeled file held out whole for the final report, read with the same format, column and label options as <file>; replaces --test-split',
    )
    .option(
      '--validation-split <fraction>',
      'fraction of rows for early stopping and model selection',
      parseFraction,
      0.1,
    )
    .option(
      '--epochs <n>',
      `most epochs; early stopping may end sooner ${defaults('epochs')}`,
      parseInteger,
    )
    .option(
      '--max-length <n>',
      `tokens kept per text, n-gram features included ${defaults('maxLength')}`,
      parseInteger,
    )
    .option('--batch-size <n>', `examples per training step ${defaults('batchSize')}`, parseInteger)
    .option('--learning-rate <rate>', `Adam learning rate ${defaults('learningRate')}`, parseNumber)
    .option(
      '--embedding-dim <n>',
      `width of the token embedding ${defaults('embeddingDim')}`,
      parseInteger,
    )
    .addOption(
      new Option(
        '--embedding-dtype <type>',
        `storage type of the embedding in model.onnx; float16 halves its size, and the reported metrics are those of the rounded weights ${defaults('embeddingDtype')}`,
      ).choices(EMBEDDING_DTYPES),
    )
    .option(
      '--units <n>',
      `width of each recurrent layer, filters per kernel size of textcnn, or feed-forward width of transformer ${defaults('units')}`,
      parseInteger,
    )
    .option(
      '--dropout <rate>',
      `dropout rate between the recurrent layers, before the output of fasttext and textcnn, or after each transformer sublayer and before its output ${defaults('dropout')}`,
      parseNumber,
    )
    .option(
      '--kernel-sizes <list>',
      `comma-separated convolution widths of textcnn, one branch each ${defaults('kernelSizes')}`,
      parseIntegerList,
    )
    .option(
      '--encoder-layers <n>',
      `encoder layers of transformer ${defaults('encoderLayers')}`,
      parseInteger,
    )
    .option(
      '--attention-heads <n>',
      `attention heads per transformer layer; they must divide --embedding-dim ${defaults('attentionHeads')}`,
      parseInteger,
    )
    .option(
      '--input-dropout <rate>',
      `dropout rate on the inputs of each LSTM layer ${defaults('inputDropout')}`,
      parseNumber,
    )
    .option(
      '--clip-norm <norm>',
      `largest global L2 norm of one step's gradients ${defaults('clipNorm')}`,
      parseNumber,
    )
    .option(
      '--vocabulary-size <n>',
      `largest vocabulary, with the padding and unknown ids ${defaults('vocabularySize')}`,
      parseInteger,
    )
    .option('--min-count <n>', `rarer tokens become unknown ${defaults('minCount')}`, parseInteger)
    .option(
      '--patience <n>',
      `epochs without a lower validation loss before stopping ${defaults('patience')}`,
      parseInteger,
    )
    .option(
      '--word-ngrams <n>',
      `longest run of words added as one feature; 1 adds none ${defaults('wordNgrams')}`,
      parseInteger,
    )
    .option(
      '--char-ngrams <n>',
      `longest run of characters added as one feature; 0 adds none ${defaults('charNgrams')}`,
      parseInteger,
    )
    .addOption(
      new Option(
        '--segmentation <mode>',
        'word (Intl.Segmenter words) or char (one token per CJK character)',
      ).choices(['word', 'char']),
    )
    .option('--no-lowercase', 'keep letter case')
    .addOption(
      new Option(
        '--class-weights <weighting>',
        'weight the loss by inverse class frequency',
      ).choices(CLASS_WEIGHTING),
    )
    .option(
      '--seed <n>',
      `seed of splits, initialization and shuffling ${defaults('seed')}`,
      parseInteger,
    )
    .option(
      '--unit <unit>',
      'token-classification: character (one tag per character, the default for Chinese) or word',
    )
    .option(
      '--no-character-features',
      'token-classification, word unit: embed word ids only, without character n-grams and word shapes',
    )
    .option(
      '--ngram-min <n>',
      `word taggers: shortest character n-gram, with the word boundary marks < and > (default ${DEFAULT_TAGGER_HYPERPARAMETERS.ngramMin})`,
      parseInteger,
    )
    .option(
      '--ngram-max <n>',
      `word taggers: longest character n-gram (default ${DEFAULT_TAGGER_HYPERPARAMETERS.ngramMax})`,
      parseInteger,
    )
    .option(
      '--ngram-buckets <n>',
      `word taggers: hash buckets of the character n-grams (default ${DEFAULT_TAGGER_HYPERPARAMETERS.ngramBuckets})`,
      parseInteger,
    )
    .option(
      '--max-ngrams <n>',
      `word taggers: character n-grams kept per word (default ${DEFAULT_TAGGER_HYPERPARAMETERS.maxNgrams})`,
      parseInteger,
    )
    .option(
      '--ngram-embedding-dim <n>',
      `word taggers: width of the character n-gram embedding (default ${DEFAULT_TAGGER_HYPERPARAMETERS.ngramEmbeddingDim})`,
      parseInteger,
    )
    .option(
      '--shape-embedding-dim <n>',
      `word taggers: width of the word shape embedding (default ${DEFAULT_TAGGER_HYPERPARAMETERS.shapeEmbeddingDim})`,
      parseInteger,
    )
    .option('--token-column <n>', 'token-classification: 0-based column of the token (default 0)')
    .option('--tag-column <n>', 'token-classification: 0-based column of the tag (default last)')
    .option(
      '--repair-tags',
      'token-classification: rewrite an I-X tag that continues no X entity to B-X instead of rejecting the file',
    )
    .option(
      '--sense-column <n>',
      'semantic-role-labeling: 0-based column of the predicate sense (default 10, or 9 when that fits the file)',
      parseInteger,
    )
    .option(
      '--predicate-embedding-dim <n>',
      'semantic-role-labeling: width of the predicate-indicator embedding (default 16)',
      parseInteger,
    )
    .option(
      '--lstm-layers <n>',
      'semantic-role-labeling: stacked bidirectional LSTM layers (default 2)',
      parseInteger,
    )
    .option(
      '--server <url>',
      'upload the file to the server at <url>, run the training there as a job and print its events',
    );
  addDataOptions(addFileOptions(command)).action(
    async (file: string, options: Record<string, unknown>, self: Command) => {
      rejectFlagsOfOtherTasks(self, options['task'] as string);
      if (options['task'] === 'semantic-role-labeling') {
        if (typeof options['server'] === 'string') {
          checkSrlArchitecture(options);
          await runSrlTrainingOnServer(file, options['server'], options, srlFlagValues(options));
          return;
        }
        const command = describeCommand(process.argv.slice(2));
        await withCommandContext(options, (context) =>
          runSrlTraining(context, file, options, command),
        );
        return;
      }
      if (options['task'] === 'token-classification') {
        if (typeof options['server'] === 'string') {
          await runTaggerTrainingOnServer(
            file,
            options['server'],
            options,
            taggerHyperparameters(options),
          );
          return;
        }
        const command = describeCommand(process.argv.slice(2));
        await withCommandContext(options, (context) =>
          runTaggerTraining(context, file, options, command),
        );
        return;
      }
      if (typeof options['server'] === 'string') {
        await runTrainingOnServer(file, options['server'], options, hyperparametersFrom(options));
        return;
      }
      await withCommandContext(options, (context) => runTraining(context, file, options));
    },
  );
}

async function runTraining(
  context: AppContext,
  file: string,
  options: Record<string, unknown>,
): Promise<void> {
  const progress = new TrainingProgress();
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  try {
    const { version, result } = await trainAndRegisterClassifier(context, {
      ...readFileOptions(options),
      file,
      name: options['name'] as string,
      description: options['description'] as string | undefined,
      source: options['source'] as string | undefined,
      alias: options['alias'] as string | undefined,
      validationFraction: options['validationSplit'] as number,
      testFile: options['testFile'] as string | undefined,
      extraTrainFiles: options['extraTrainFile'] as string[],
      hyperparameters: hyperparametersFrom(options),
      command: describeCommand(process.argv.slice(2)),
      onEvent: (event) => progress.update(event),
      signal: abort.signal,
    });
    progress.stop();
    console.log(
      `\nregistered ${version.name}@${version.version} (best epoch ${result.bestEpoch}, ${Math.round(result.durationMs / 1000)} s)`,
    );
    console.log('\nvalidation\n' + formatClassificationReport(result.validationReport));
    if (result.testReport !== undefined) {
      console.log('\nheld-out test\n' + formatClassificationReport(result.testReport));
    }
  } finally {
    progress.stop();
  }
}

/** Flags that name folders of this machine, left out of the command in the model card. */
const LOCAL_FLAGS = new Set(['--data-dir', '--models-dir', '--config']);

/** Formats the command line for the model card, without machine-specific folders. */
function describeCommand(args: readonly string[]): string {
  const recorded: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (LOCAL_FLAGS.has(arg)) {
      i++;
    } else if (!LOCAL_FLAGS.has(arg.split('=')[0] as string)) {
      recorded.push(/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
    }
  }
  return ['maas', ...recorded].join(' ');
}

/**
 * `(default 128; fasttext 8192)`: the default of the first architecture, then each
 * architecture whose default differs.
 */
function defaults(name: keyof ClassifierHyperparameters): string {
  const [first, ...rest] = CLASSIFIER_ARCHITECTURES.map((architecture) => ({
    architecture,
    value: defaultHyperparameters(architecture)[name],
  }));
  const others = rest
    .filter(({ value }) => String(value) !== String(first?.value))
    .map(({ architecture, value }) => `; ${architecture} ${String(value)}`);
  return `(default ${String(first?.value)}${others.join('')})`;
}

function hyperparametersFrom(options: Record<string, unknown>): Partial<ClassifierHyperparameters> {
  return {
    architecture: options['architecture'] as ClassifierHyperparameters['architecture'] | undefined,
    epochs: options['epochs'] as number | undefined,
    maxLength: options['maxLength'] as number | undefined,
    batchSize: options['batchSize'] as number | undefined,
    learningRate: options['learningRate'] as number | undefined,
    embeddingDim: options['embeddingDim'] as number | undefined,
    embeddingDtype: options['embeddingDtype'] as
      ClassifierHyperparameters['embeddingDtype'] | undefined,
    units: options['units'] as number | undefined,
    dropout: options['dropout'] as number | undefined,
    inputDropout: options['inputDropout'] as number | undefined,
    kernelSizes: options['kernelSizes'] as number[] | undefined,
    encoderLayers: options['encoderLayers'] as number | undefined,
    attentionHeads: options['attentionHeads'] as number | undefined,
    clipNorm: options['clipNorm'] as number | undefined,
    vocabularySize: options['vocabularySize'] as number | undefined,
    minCount: options['minCount'] as number | undefined,
    patience: options['patience'] as number | undefined,
    wordNgrams: options['wordNgrams'] as number | undefined,
    charNgrams: options['charNgrams'] as number | undefined,
    segmentation: options['segmentation'] as ClassifierHyperparameters['segmentation'] | undefined,
    lowercase: options['lowercase'] === false ? false : undefined,
    classWeighting: options['classWeights'] as
      ClassifierHyperparameters['classWeighting'] | undefined,
    seed: options['seed'] as number | undefined,
  };
}

/** A progress bar per epoch on a terminal; one line per epoch everywhere. */
class TrainingProgress {
  #bar: cliProgress.SingleBar | undefined;

  update(event: TrainingEvent): void {
    switch (event.type) {
      case 'started':
        console.log(
          `training on ${event.trainExamples} rows, validating on ${event.validationExamples}; vocabulary ${event.vocabularySize} tokens, ${event.batchesPerEpoch} batches per epoch`,
        );
        break;
      case 'batch':
        if (this.#bar === undefined && process.stderr.isTTY) {
          this.#bar = new cliProgress.SingleBar(
            {
              format: `epoch ${event.epoch} [{bar}] {value}/{total} batches  loss {loss}  eta {eta}s`,
              stream: process.stderr,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          );
          this.#bar.start(event.batches, 0, { loss: 'n/a' });
        }
        this.#bar?.update(event.batch, { loss: event.loss.toFixed(4) });
        break;
      case 'epoch':
        this.stop();
        console.log(
          `epoch ${event.epoch}/${event.epochs}  loss ${event.loss.toFixed(4)}  accuracy ${pct(event.accuracy)}  val_loss ${event.valLoss.toFixed(4)}  val_accuracy ${pct(event.valAccuracy)}  ${(event.elapsedMs / 1000).toFixed(1)} s${event.improved ? '  (best so far)' : ''}`,
        );
        break;
      case 'early_stopped':
        console.log(
          `early stopping after epoch ${event.epoch}: keeping the weights of epoch ${event.bestEpoch}`,
        );
        break;
    }
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}
