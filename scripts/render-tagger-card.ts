// Renders the README.md text of a token-classification model card (model-card.json of a
// tagger). scripts/render-model-card.ts calls it for cards whose task is token-classification.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { SpanReport } from '../src/training/evaluation/span-report.js';

interface TaggerCard {
  name: string;
  task: string;
  runtime: string;
  description: string | null;
  architecture: string;
  labels: string[];
  vocabulary_size: number;
  reproduce?: string;
  notes?: string[];
  training: {
    source: string | null;
    dataset: { file: string; sha256: string; sentences: number; tokens: number };
    test_data?: { name: string; file: string; sha256: string; sentences: number; tokens: number };
    split: Record<string, number>;
    hyperparameters: Record<string, unknown>;
    best_epoch: number;
    history: { epoch: number; loss: number; valF1: number; elapsedMs: number }[];
    command: string | null;
  };
  metrics: { validation: SpanReport; test: SpanReport | null };
  onnx_parity: { rows_checked: number; max_abs_diff: number; tolerance: number };
}

const LAYERS: Record<string, string> = {
  'bilstm-crf': 'BiLSTM → Dropout → Dense emissions → linear-chain CRF, Viterbi decoding',
  bilstm: 'BiLSTM → Dropout → Dense softmax per token',
};

const pct = (value: number): string => `${(value * 100).toFixed(2)}%`;

function spanTable(report: SpanReport): string {
  const rows = Object.entries(report.per_type).map(
    ([type, m]) =>
      `| ${type} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ${m.support} |`,
  );
  const all = report.overall;
  return [
    `Entity F1 **${pct(all.f1)}** (\`conlleval\` spans) on ${report.sequences.toLocaleString('en-US')} sentences, token accuracy ${pct(report.token_accuracy)}.`,
    '',
    '| type | precision | recall | F1 | entities |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    `| overall | ${pct(all.precision)} | ${pct(all.recall)} | ${pct(all.f1)} | ${all.support} |`,
  ].join('\n');
}

/** Returns the README.md text of a tagger's model card in `folder`. */
export function renderTaggerCard(card: TaggerCard, folder: string): string {
  const t = card.training;
  const hp = t.hyperparameters;
  const firstLayer =
    hp['unit'] === 'word' && hp['characterFeatures'] === true
      ? `word embedding (lower-cased) ⊕ mean of hashed character ${String(hp['ngramMin'])}–${String(hp['ngramMax'])}-gram embeddings ⊕ word-shape embedding`
      : `${String(hp['unit'])} embedding`;
  const size = statSync(join(folder, 'model.onnx')).size;
  const trainingSeconds = Math.round(
    t.history.reduce((total, epoch) => total + epoch.elapsedMs, 0) / 1000,
  );
  const history = t.history
    .map(
      (epoch) =>
        `| ${epoch.epoch} | ${epoch.loss.toFixed(4)} | ${pct(epoch.valF1)} | ${Math.round(epoch.elapsedMs / 1000)} |`,
    )
    .join('\n');
  const hyperparameters = Object.entries(hp)
    .map(([name, value]) => `| ${name} | ${JSON.stringify(value)} |`)
    .join('\n');
  return `# ${card.name}

${card.description ?? ''}

| field | value |
| --- | --- |
| task | \`${card.task}\` |
| runtime | \`${card.runtime}\` |
| architecture | ${card.architecture}: ${firstLayer} → ${LAYERS[card.architecture] ?? card.architecture} |
| labels | ${card.labels.map((label) => `\`${label}\``).join(', ')} |
| vocabulary | ${card.vocabulary_size.toLocaleString('en-US')} words |
| model.onnx | ${(size / 1024 / 1024).toFixed(1)} MiB |

## Training data

${t.source ?? 'Unknown source.'}

File \`${t.dataset.file}\` (${t.dataset.sentences.toLocaleString('en-US')} sentences, ${t.dataset.tokens.toLocaleString('en-US')} tokens, SHA-256 \`${t.dataset.sha256}\`).
It is split by sentence with seed ${t.split['seed']}: ${heldOutPart(t.split)}${pct(t.split['validation_fraction'] ?? 0)} (${t.split['validation_sentences']} sentences)${(t.split['test_fraction'] ?? 0) > 0 ? ' of the rest' : ''} is the validation part, which picks the best epoch and stops training early.
The model trains on the other ${t.split['train_sentences']} sentences.

## Test results

${testResults(card)}

## Validation results

${spanTable(card.metrics.validation)}

The ONNX graph matched tfjs within ${card.onnx_parity.max_abs_diff.toExponential(1)} on ${card.onnx_parity.rows_checked} validation sentences (tolerance ${card.onnx_parity.tolerance}).
${card.notes === undefined ? '' : `\n## Notes\n\n${card.notes.join('\n\n')}\n`}
## Reproduce

\`\`\`sh
${card.reproduce ?? t.command ?? ''}
\`\`\`

The run trained ${t.history.length} epochs (${trainingSeconds} s in all, with the tfjs wasm backend on a shared 2-core CPU) and kept the weights of epoch ${t.best_epoch}.
The command that trained it was:

\`\`\`sh
${t.command ?? ''}
\`\`\`

| epoch | loss | validation F1 | seconds |
| --- | --- | --- | --- |
${history}

## Hyperparameters

| name | value |
| --- | --- |
${hyperparameters}
`;
}

/** Describes the test part held out of the training file, if any, ending with a space. */
function heldOutPart(split: Record<string, number>): string {
  const fraction = split['test_fraction'] ?? 0;
  if (fraction === 0) return '';
  return `${pct(fraction)} (${split['test_sentences']} sentences) is the test part, drawn first; `;
}

/** Renders the test section: a separate test file, the held-out part of the file, or none. */
function testResults(card: TaggerCard): string {
  const report = card.metrics.test;
  const test = card.training.test_data;
  if (report === null) return 'No test file was evaluated.';
  if (test !== undefined) {
    return `${test.name}: file \`${test.file}\` (${test.sentences.toLocaleString('en-US')} sentences, SHA-256 \`${test.sha256}\`), which training never read. Its gold tokens go through the serving pipeline (the same features, ONNX graph and Viterbi decoding as the server).\n\n${spanTable(report)}`;
  }
  return `The test part of \`${card.training.dataset.file}\` (${report.sequences.toLocaleString('en-US')} sentences), which training never read.\n\n${spanTable(report)}`;
}
