/**
 * Argument-level evaluation of semantic role labeling with head-token arguments, as Universal
 * Propositions annotates them. An argument is the head token of a phrase with a role for one
 * predicate. A predicted argument is correct when its token and role both match a gold
 * argument of the same predicate. Predicate senses are not scored.
 */

/** Label of a token that is no argument of the predicate. */
export const NO_ROLE = 'O';
/** Label of the predicate token itself; it is given with the input, so it is never scored. */
export const PREDICATE_ROLE = 'V';

/** Precision, recall and F1 of one role, or of all roles together. */
export interface ArgumentMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Gold arguments. */
  support: number;
  /** Predicted arguments. */
  predicted: number;
  /** Predicted arguments whose token and role match a gold argument. */
  correct: number;
}

/**
 * Argument-level report stored in `model-card.json` (snake_case because it is a file format).
 * `overall` is micro-averaged over every argument, so frequent roles weigh more.
 */
export interface ArgumentReport {
  /** Predicates scored, one label sequence each. */
  predicates: number;
  tokens: number;
  overall: ArgumentMetrics;
  per_role: Record<string, ArgumentMetrics>;
}

/** Returns whether a token label marks an argument: anything but `O`, `V` and the empty label. */
export function isArgumentRole(label: string): boolean {
  return label !== NO_ROLE && label !== PREDICATE_ROLE && label !== '' && label !== '_';
}

/**
 * Scores predicted role labels against gold ones, one label per token and one sequence per
 * predicate. Roles appear in `per_role` sorted by name, each with its gold and predicted
 * counts, so a role the model invents shows up with support 0.
 *
 * @throws RangeError when the two lists, or a pair of sequences, differ in length.
 */
export function computeArgumentReport(
  gold: readonly (readonly string[])[],
  predicted: readonly (readonly string[])[],
): ArgumentReport {
  if (gold.length !== predicted.length) {
    throw new RangeError(
      `expected one predicted sequence per gold sequence, got ${predicted.length} for ${gold.length}`,
    );
  }
  const counts = new Map<string, { support: number; predicted: number; correct: number }>();
  const countsOf = (role: string): { support: number; predicted: number; correct: number } => {
    let entry = counts.get(role);
    if (entry === undefined) {
      entry = { support: 0, predicted: 0, correct: 0 };
      counts.set(role, entry);
    }
    return entry;
  };
  let tokens = 0;
  gold.forEach((goldLabels, sequence) => {
    const predictedLabels = predicted[sequence] as readonly string[];
    if (goldLabels.length !== predictedLabels.length) {
      throw new RangeError(
        `sequence ${sequence} has ${goldLabels.length} gold labels but ${predictedLabels.length} predicted ones`,
      );
    }
    tokens += goldLabels.length;
    goldLabels.forEach((goldLabel, index) => {
      const predictedLabel = predictedLabels[index] as string;
      if (isArgumentRole(goldLabel)) countsOf(goldLabel).support++;
      if (isArgumentRole(predictedLabel)) {
        const entry = countsOf(predictedLabel);
        entry.predicted++;
        if (predictedLabel === goldLabel) entry.correct++;
      }
    });
  });
  const total = { support: 0, predicted: 0, correct: 0 };
  const perRole: Record<string, ArgumentMetrics> = {};
  for (const role of [...counts.keys()].sort()) {
    const entry = counts.get(role) as { support: number; predicted: number; correct: number };
    perRole[role] = metricsOf(entry);
    total.support += entry.support;
    total.predicted += entry.predicted;
    total.correct += entry.correct;
  }
  return { predicates: gold.length, tokens, overall: metricsOf(total), per_role: perRole };
}

/** Formats a report as a fixed-width table of precision, recall, F1 and support per role. */
export function formatArgumentReport(report: ArgumentReport): string {
  const roles = Object.keys(report.per_role);
  const width = Math.max(9, ...roles.map((role) => role.length)) + 2;
  const row = (name: string, metrics: ArgumentMetrics): string =>
    `${name.padEnd(width)}${percent(metrics.precision).padStart(11)}${percent(metrics.recall).padStart(9)}${percent(metrics.f1).padStart(9)}${String(metrics.support).padStart(9)}`;
  return [
    `predicates      ${report.predicates}`,
    `tokens          ${report.tokens}`,
    `argument F1     ${percent(report.overall.f1)}`,
    '',
    `${'role'.padEnd(width)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'F1'.padStart(9)}${'support'.padStart(9)}`,
    ...roles.map((role) => row(role, report.per_role[role] as ArgumentMetrics)),
    row('overall', report.overall),
  ].join('\n');
}

function metricsOf(counts: {
  support: number;
  predicted: number;
  correct: number;
}): ArgumentMetrics {
  const precision = counts.predicted === 0 ? 0 : counts.correct / counts.predicted;
  const recall = counts.support === 0 ? 0 : counts.correct / counts.support;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    precision: round(precision),
    recall: round(recall),
    f1: round(f1),
    support: counts.support,
    predicted: counts.predicted,
    correct: counts.correct,
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}
