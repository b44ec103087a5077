// Writes README.md beside a model-card.json: a readable model card for people.
// Usage: tsx scripts/render-model-card.ts models/sentiment-zh
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassificationReport } from '../src/training/evaluation/classification-report.js';
import { renderTaggerCard } from './render-tagger-card.js';
import { renderSrlCard } from './render-srl-card.js';

interface Card {
  name: string;
  task: string;
  runtime: string;
  description: string | null;
  architecture: string;
  labels: string[];
  parameters: number;
  vocabulary_size: number;
  reproduce?: string;
  training: {
    source: string | null;
    dataset: { file: string; sha256: string; rows: number; labelCounts: Record<string, number> };
    label_names: Record<string, string> | null;
    extra_train_files?: {
      file: string;
      sha256: string;
      rows: number;
      duplicates_dropped: number;
      rows_used: number;
    }[];
    split: Record<string, number> & { test_file?: { file: string; sha256: string } | null };
    hyperparameters: Record<string, unknown>;
    epochs_run: number;
    best_epoch: number;
    duration_ms: number;
    command: string | null;
    icu_version: string | null;
  };
  metrics: { validation: ClassificationReport; test: ClassificationReport | null };
  /** Paragraphs a maintainer adds about how the settings were chosen. */
  notes?: string[];
}

const LAYERS: Record<string, string> = {
  lstm: 'Embedding → LSTM → Dropout → LSTM → Dense softmax',
  bilstm: 'Embedding → bidirectional LSTM → Dropout → bidirectional LSTM → Dense softmax',
  gru: 'Embedding → GRU → Dropout → GRU → Dense softmax',
  fasttext:
    'Embedding of words, word n-grams and character n-grams → masked mean → Dropout → Dense softmax',
  textcnn: 'Embedding → Conv1D with relu per kernel size → max over time → Dropout → Dense softmax',
  transformer:
    'Embedding and position embedding → self-attention encoder layers → mean → Dropout → Dense softmax',
};

/** Flags of the training command that set how to read the file, which `maas eval` takes too. */
const READ_FLAGS = ['--format', '--text-column', '--label-column', '--label-names'];

/** Splits a command line as a POSIX shell would, for the quoting that `maas train` writes. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  for (let index = 0; index < command.length; index++) {
    const character = command[index] as string;
    if (quoted) {
      if (character === "'") quoted = false;
      else word += character;
    } else if (character === "'") {
      quoted = true;
      word ??= '';
    } else if (character === '\\' && index + 1 < command.length) {
      index++;
      word = (word ?? '') + command[index];
    } else if (/\s/.test(character)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + character;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Formats a word for a POSIX shell, quoting it when it contains other characters. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Builds the `maas eval` command that evaluates the registered model on the held-out rows: the
 * test file, or the training file with the same test fraction, read with the same flags.
 */
function evalCommand(card: Card): string {
  const words = shellWords(card.training.command ?? '');
  const readFlags: string[] = [];
  READ_FLAGS.forEach((flag) => {
    const index = words.indexOf(flag);
    if (index >= 0 && words[index + 1] !== undefined) {
      readFlags.push(flag, shellQuote(words[index + 1] as string));
    }
  });
  if (words.includes('--no-header')) readFlags.push('--no-header');
  const split = card.training.split;
  const testFileIndex = words.indexOf('--test-file');
  const file =
    testFileIndex >= 0
      ? (words[testFileIndex + 1] as string)
      : (words[2] ?? card.training.dataset.file);
  const testSplit = testFileIndex >= 0 ? [] : ['--test-split', String(split['test_fraction'])];
  return ['maas', 'eval', card.name, shellQuote(file), ...readFlags, ...testSplit].join(' ');
}

const folder = process.argv[2];
if (folder === undefined) {
  console.error('usage: tsx scripts/render-model-card.ts <model folder>');
  process.exit(2);
}
const raw = JSON.parse(readFileSync(join(folder, 'model-card.json'), 'utf8')) as { task: string };
if (raw.task === 'semantic-role-labeling') {
  writeFileSync(
    join(folder, 'README.md'),
    renderSrlCard(raw as Parameters<typeof renderSrlCard>[0]),
  );
  console.log(`wrote ${join(folder, 'README.md')}`);
  process.exit(0);
}
if (raw.task === 'token-classification') {
  writeFileSync(join(folder, 'README.md'), renderTaggerCard(raw as never, folder));
  console.log(`wrote ${join(folder, 'README.md')}`);
  process.exit(0);
}
const card = raw as Card;
const t = card.training;
const pct = (value: number): string => `${(value * 100).toFixed(2)}%`;

function reportTable(report: ClassificationReport): string {
  const rows = Object.entries(report.per_class).map(
    ([label, m]) =>
      `| ${label} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ${m.support} |`,
  );
  const matrix = report.confusion_matrix.rows.map(
    (row, index) => `| ${report.confusion_matrix.labels[index]} | ${row.join(' | ')} |`,
  );
  return [
    `Accuracy **${pct(report.accuracy)}**, macro-F1 **${pct(report.macro_f1)}** on ${report.examples} rows.`,
    '',
    '| label | precision | recall | F1 | support |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Confusion matrix (rows: true label, columns: predicted):`,
    '',
    `| | ${report.confusion_matrix.labels.join(' | ')} |`,
    `| --- | ${report.confusion_matrix.labels.map(() => '---').join(' | ')} |`,
    ...matrix,
  ].join('\n');
}

const extraFiles = t.extra_train_files ?? [];
const extraText =
  extraFiles.length === 0
    ? ''
    : `, plus ${t.split['extra_train_rows']?.toLocaleString('en-US')} rows from other corpora. Those rows join the training part only. A row that copies a row of \`${t.dataset.file}\` is dropped first: the same text, a text with at least half of its 5-character shingles in one such row, or a text that holds at least half of the shingles of such a row of 20 shingles or more (compared after normalization and lower-casing, without white space, punctuation and symbols), so no held-out text reaches training through them:\n\n` +
      extraFiles
        .map(
          (extra) =>
            `- \`${extra.file}\`: ${extra.rows.toLocaleString('en-US')} rows, ${extra.duplicates_dropped.toLocaleString('en-US')} dropped as duplicates, ${extra.rows_used.toLocaleString('en-US')} used (SHA-256 \`${extra.sha256}\`)`,
        )
        .join('\n');

function splitText(): string {
  const { split } = t;
  const validation = `${pct(split['validation_fraction'] ?? 0)} of the training file (${split['validation_rows']} rows, stratified, drawn with seed ${(split['seed'] ?? 0) + 1}) is the
validation part, which early stopping and the comparison of settings use. The model trains on the other ${split['train_rows']} rows${extraText}.`;
  if (split.test_file) {
    return `The held-out test part is the whole of \`${split.test_file.file}\` (${split['test_rows']} rows, SHA-256 \`${split.test_file.sha256}\`), a separate file that training never reads. ${validation}`;
  }
  return `The file is split with seed ${split['seed']}: ${pct(split['test_fraction'] ?? 0)} of the rows (stratified) are held out as the test part
(${split['test_rows']} rows), which training never sees. ${pct(split['validation_fraction'] ?? 0)} of the rest (${split['validation_rows']} rows) is the
validation part, which early stopping and the comparison of settings use. The model trains on the other ${split['train_rows']} rows${extraText}.`;
}

const hyperparameters = Object.entries(t.hyperparameters)
  .map(([name, value]) => `| ${name} | ${JSON.stringify(value)} |`)
  .join('\n');

const text = `# ${card.name}

${card.description ?? ''}

| field | value |
| --- | --- |
| task | \`${card.task}\` |
| runtime | \`${card.runtime}\` |
| architecture | ${card.architecture} (${LAYERS[card.architecture] ?? 'see model.json'}) |
| labels | ${card.labels.map((label) => `\`${label}\``).join(', ')} |
| parameters | ${card.parameters.toLocaleString('en-US')} |
| vocabulary | ${card.vocabulary_size.toLocaleString('en-US')} tokens |

## Training data

${t.source ?? 'Unknown source.'}

File \`${t.dataset.file}\` (${t.dataset.rows.toLocaleString('en-US')} rows, SHA-256 \`${t.dataset.sha256}\`).
Label names: ${
  t.label_names === null
    ? 'as in the file'
    : Object.entries(t.label_names)
        .map(([from, to]) => `\`${from}\` → \`${to}\``)
        .join(', ')
}.

${splitText()}

## Held-out test results

${card.metrics.test === null ? 'No test part was held out.' : reportTable(card.metrics.test)}

## Validation results

${reportTable(card.metrics.validation)}
${card.notes === undefined ? '' : `\n## Notes\n\n${card.notes.join('\n\n')}\n`}
## Reproduce

\`\`\`sh
${card.reproduce ?? t.command ?? ''}
\`\`\`

The run trained ${t.epochs_run} epochs and kept the weights of epoch ${t.best_epoch}. It took ${Math.round(t.duration_ms / 1000)} s on a 2-core CPU with the tfjs wasm backend.
The tokens come from \`Intl.Segmenter\`, which depends on the ICU version (${t.icu_version ?? 'unknown'} here), so a different Node.js build can give other tokens.
The command that trained it was:

\`\`\`sh
${t.command ?? ''}
\`\`\`

Evaluate the registered model on the same held-out part:

\`\`\`sh
${evalCommand(card)}
\`\`\`

## Hyperparameters

| name | value |
| --- | --- |
${hyperparameters}
`;
writeFileSync(join(folder, 'README.md'), text);
console.log(`wrote ${join(folder, 'README.md')}`);
