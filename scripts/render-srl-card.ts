// Renders the README.md text of a semantic role tagger's model-card.json; render-model-card.ts
// calls it for cards of the semantic-role-labeling task.
import type { ArgumentReport } from '../src/training/evaluation/argument-report.js';

interface SrlCard {
  name: string;
  task: string;
  runtime: string;
  description: string | null;
  architecture: string;
  license?: string;
  labels: string[];
  parameters: number;
  vocabulary_size: number;
  reproduce?: string;
  training: {
    source: string | null;
    dataset: {
      file: string;
      sha256: string;
      sentences: number;
      sentences_without_predicate: number;
      predicates: number;
      tokens: number;
    };
    split: Record<string, number | string>;
    hyperparameters: Record<string, unknown>;
    best_epoch: number;
    history: { epoch: number; elapsedMs: number }[];
    duration_ms?: number;
    command: string | null;
  };
  metrics: { validation: ArgumentReport; test: ArgumentReport | null };
  onnx_parity: { rows_checked: number; max_abs_diff: number };
  notes?: string[];
}

const pct = (value: number): string => `${(value * 100).toFixed(2)}%`;

function reportTable(report: ArgumentReport): string {
  const rows = Object.entries(report.per_role).map(
    ([role, m]) =>
      `| ${role} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ${m.support} | ${m.predicted} |`,
  );
  const o = report.overall;
  return [
    `Argument precision **${pct(o.precision)}**, recall **${pct(o.recall)}**, F1 **${pct(o.f1)}** on ${report.predicates.toLocaleString('en-US')} predicates (${o.support.toLocaleString('en-US')} gold arguments).`,
    '',
    '| role | precision | recall | F1 | gold | predicted |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    `| **overall** | ${pct(o.precision)} | ${pct(o.recall)} | ${pct(o.f1)} | ${o.support} | ${o.predicted} |`,
  ].join('\n');
}

/** Returns the Markdown model card of a semantic role tagger. */
export function renderSrlCard(card: SrlCard): string {
  const t = card.training;
  const s = t.split;
  const seconds = Math.round(
    (t.duration_ms ?? t.history.reduce((sum, epoch) => sum + epoch.elapsedMs, 0)) / 1000,
  );
  const hyperparameters = Object.entries(t.hyperparameters)
    .map(([name, value]) => `| ${name} | ${JSON.stringify(value)} |`)
    .join('\n');
  const file = t.command?.split(' ')[2] ?? t.dataset.file;
  return `# ${card.name}

${card.description ?? ''}

| field | value |
| --- | --- |
| task | \`${card.task}\` |
| runtime | \`${card.runtime}\` |
| architecture | word embedding and predicate-indicator embedding, concatenated → ${String(t.hyperparameters['layers'])} bidirectional LSTM layer(s) → Dense softmax per word |
| roles | ${card.labels.map((label) => `\`${label}\``).join(', ')} |
| parameters | ${card.parameters.toLocaleString('en-US')} |
| vocabulary | ${card.vocabulary_size.toLocaleString('en-US')} words |
| licence of the training data | ${card.license ?? 'see the source'} |

The model labels the arguments of one predicate at a time. Its input is the words of a
sentence and a predicate indicator, 1 on the predicate word and 0 elsewhere. For each word it
predicts a PropBank role (\`ARG0\`, \`ARGM-TMP\` and so on) or \`O\`. As in Universal
Propositions, an argument is the head word of a phrase, not the whole phrase, so the labels
are plain per-word roles without BIO prefixes. Predicate senses are not predicted.

## Training data

${t.source ?? 'Unknown source.'}

File \`${t.dataset.file}\`: ${t.dataset.sentences.toLocaleString('en-US')} sentences, ${t.dataset.predicates.toLocaleString('en-US')} predicates, ${t.dataset.tokens.toLocaleString('en-US')} words, SHA-256 \`${t.dataset.sha256}\`.
${t.dataset.sentences_without_predicate.toLocaleString('en-US')} sentences have no predicate and give no example.

The sentences with a predicate are split with seed ${String(s['seed'])}, whole sentences at a time so that no
test sentence is trained on: ${pct(Number(s['test_fraction']))} are held out as the test part (${String(s['test_sentences'])} sentences,
${String(s['test_predicates'])} predicates), which training never sees. ${pct(Number(s['validation_fraction']))} of the rest (${String(s['validation_sentences'])} sentences,
${String(s['validation_predicates'])} predicates) is the validation part, which early stopping uses. The model trains on the
other ${String(s['train_sentences'])} sentences (${String(s['train_predicates'])} predicates).

## Held-out test results

A predicted argument is correct when its head word and role both match a gold argument of
the same predicate. The predicate itself (\`V\`) is not scored.

${card.metrics.test === null ? 'No test part was held out.' : reportTable(card.metrics.test)}

## Validation results

${reportTable(card.metrics.validation)}
${card.notes === undefined ? '' : `\n## Notes\n\n${card.notes.join('\n\n')}\n`}
## Reproduce

\`\`\`sh
${card.reproduce ?? t.command ?? ''}
\`\`\`

The run trained ${t.history.length} epochs and kept the weights of epoch ${t.best_epoch}. Its epochs took ${seconds} s in all
on a 2-core CPU shared with other training runs, with the tfjs wasm backend. The ONNX export
matched tfjs within ${card.onnx_parity.max_abs_diff.toExponential(1)} on ${card.onnx_parity.rows_checked} validation predicates.
The command that trained it was:

\`\`\`sh
${t.command ?? ''}
\`\`\`

Evaluate the registered model on the same held-out part:

\`\`\`sh
maas eval ${card.name} ${file} --test-split ${String(s['test_fraction'])}
\`\`\`

## Hyperparameters

| name | value |
| --- | --- |
${hyperparameters}
`;
}
