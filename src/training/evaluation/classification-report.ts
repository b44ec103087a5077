/** Precision, recall, F1 and support of one class. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/**
 * Evaluation of a classifier on labeled examples, stored in `model-card.json` (snake_case
 * because it is a file format). `confusion_matrix.rows[i][j]` counts examples of true label
 * `labels[i]` predicted as `labels[j]`.
 */
export interface ClassificationReport {
  examples: number;
  accuracy: number;
  macro_f1: number;
  per_class: Record<string, ClassMetrics>;
  confusion_matrix: { labels: string[]; rows: number[][] };
}

/** Builds the report from true and predicted label indexes into `labels`. */
export function computeClassificationReport(
  labels: readonly string[],
  expected: readonly number[],
  predicted: readonly number[],
): ClassificationReport {
  if (expected.length !== predicted.length) {
    throw new Error(`expected ${expected.length} predictions, got ${predicted.length}`);
  }
  const rows = labels.map(() => labels.map(() => 0));
  let correct = 0;
  for (let i = 0; i < expected.length; i++) {
    const truth = expected[i] as number;
    const guess = predicted[i] as number;
    (rows[truth] as number[])[guess] = ((rows[truth] as number[])[guess] as number) + 1;
    if (truth === guess) correct++;
  }

  const perClass: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  labels.forEach((label, index) => {
    const truePositives = (rows[index] as number[])[index] as number;
    const support = sum(rows[index] as number[]);
    const predictedCount = sum(rows.map((row) => row[index] as number));
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[label] = {
      precision: round(precision),
      recall: round(recall),
      f1: round(f1),
      support,
    };
    f1Sum += f1;
  });

  return {
    examples: expected.length,
    accuracy: round(expected.length === 0 ? 0 : correct / expected.length),
    macro_f1: round(labels.length === 0 ? 0 : f1Sum / labels.length),
    per_class: perClass,
    confusion_matrix: { labels: [...labels], rows },
  };
}

/** Renders the report as aligned plain text for the terminal. */
export function formatClassificationReport(report: ClassificationReport): string {
  const labels = report.confusion_matrix.labels;
  const width = Math.max(9, ...labels.map((label) => label.length)) + 2;
  const lines = [
    `examples  ${report.examples}`,
    `accuracy  ${percent(report.accuracy)}`,
    `macro-F1  ${percent(report.macro_f1)}`,
    '',
    `${'label'.padEnd(width)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'F1'.padStart(9)}${'support'.padStart(9)}`,
  ];
  for (const label of labels) {
    const metrics = report.per_class[label] as ClassMetrics;
    lines.push(
      `${label.padEnd(width)}${percent(metrics.precision).padStart(11)}${percent(metrics.recall).padStart(9)}${percent(metrics.f1).padStart(9)}${String(metrics.support).padStart(9)}`,
    );
  }
  lines.push('', `confusion matrix (rows: true label, columns: predicted)`);
  lines.push(`${''.padEnd(width)}${labels.map((label) => label.padStart(width)).join('')}`);
  report.confusion_matrix.rows.forEach((row, index) => {
    lines.push(
      `${(labels[index] as string).padEnd(width)}${row.map((count) => String(count).padStart(width)).join('')}`,
    );
  });
  return lines.join('\n');
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}
