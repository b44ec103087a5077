/**
 * Entity-level (span-level) evaluation of BIO tag sequences, as reported for named-entity
 * recognition and semantic role labeling: a predicted span counts only when its type, start
 * and end all match a gold span.
 */

/** A labeled span of a tag sequence: tokens `start` to `end - 1` have entity type `type`. */
export interface Span {
  type: string;
  start: number;
  end: number;
}

/**
 * Rules for an `I-X` tag that does not continue an `X` span.
 * - `conlleval`: it starts a new `X` span, as the CoNLL-2000 `conlleval` script does.
 * - `strict`: it belongs to no span, so a tagger that emits invalid IOB2 sequences gets no
 *   credit for them.
 */
export const SPAN_SCHEMES = ['conlleval', 'strict'] as const;
export type SpanScheme = (typeof SPAN_SCHEMES)[number];

/** Precision, recall and F1 of one span type, or of all types together. */
export interface SpanMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Gold spans. */
  support: number;
  /** Predicted spans. */
  predicted: number;
  /** Predicted spans that match a gold span exactly. */
  correct: number;
}

/**
 * Span-level evaluation stored in `model-card.json` (snake_case because it is a file format).
 * `overall` is micro-averaged over every span, so frequent types weigh more.
 */
export interface SpanReport {
  scheme: SpanScheme;
  sequences: number;
  tokens: number;
  /** Share of tokens whose whole tag is right, `O` included. */
  token_accuracy: number;
  overall: SpanMetrics;
  per_type: Record<string, SpanMetrics>;
}

export interface SpanOptions {
  /** @defaultValue `conlleval` */
  scheme?: SpanScheme;
  /**
   * Span types left out of the scores, such as `V`, the predicate itself in semantic role
   * labeling.
   */
  ignoreTypes?: readonly string[];
}

/** Splits a tag into its prefix (`B`, `I` or `O`) and type; a tag without a prefix is `O`. */
function parseTag(tag: string): { prefix: 'B' | 'I' | 'O'; type: string } {
  if (tag.length > 2 && (tag[0] === 'B' || tag[0] === 'I') && (tag[1] === '-' || tag[1] === '_')) {
    return { prefix: tag[0], type: tag.slice(2) };
  }
  return { prefix: 'O', type: '' };
}

/** Extracts the spans of a BIO (IOB2) tag sequence. */
export function extractSpans(tags: readonly string[], scheme: SpanScheme = 'conlleval'): Span[] {
  const spans: Span[] = [];
  let open: Span | undefined;
  const close = (end: number): void => {
    if (open !== undefined) spans.push({ ...open, end });
    open = undefined;
  };
  tags.forEach((tag, index) => {
    const { prefix, type } = parseTag(tag);
    if (prefix === 'I' && open !== undefined && open.type === type) return;
    close(index);
    if (prefix === 'B' || (prefix === 'I' && scheme === 'conlleval')) {
      open = { type, start: index, end: index + 1 };
    }
  });
  close(tags.length);
  return spans;
}

/**
 * Scores predicted tag sequences against gold ones.
 *
 * @throws RangeError when the two lists, or two paired sequences, differ in length.
 */
export function computeSpanReport(
  gold: readonly (readonly string[])[],
  predicted: readonly (readonly string[])[],
  options: SpanOptions = {},
): SpanReport {
  if (gold.length !== predicted.length) {
    throw new RangeError(`expected ${gold.length} predicted sequences, got ${predicted.length}`);
  }
  const scheme = options.scheme ?? 'conlleval';
  const ignored = new Set(options.ignoreTypes ?? []);
  const counts = new Map<string, { support: number; predicted: number; correct: number }>();
  const countsOf = (type: string) => {
    let entry = counts.get(type);
    if (entry === undefined) {
      entry = { support: 0, predicted: 0, correct: 0 };
      counts.set(type, entry);
    }
    return entry;
  };
  let tokens = 0;
  let rightTokens = 0;

  gold.forEach((goldTags, index) => {
    const predictedTags = predicted[index] as readonly string[];
    if (goldTags.length !== predictedTags.length) {
      throw new RangeError(
        `sequence ${index} has ${goldTags.length} gold tags but ${predictedTags.length} predicted ones`,
      );
    }
    tokens += goldTags.length;
    goldTags.forEach((tag, position) => {
      if (tag === predictedTags[position]) rightTokens++;
    });
    const goldSpans = extractSpans(goldTags, scheme).filter((span) => !ignored.has(span.type));
    const guessed = extractSpans(predictedTags, scheme).filter((span) => !ignored.has(span.type));
    const goldKeys = new Set(goldSpans.map(spanKey));
    for (const span of goldSpans) countsOf(span.type).support++;
    for (const span of guessed) {
      const entry = countsOf(span.type);
      entry.predicted++;
      if (goldKeys.has(spanKey(span))) entry.correct++;
    }
  });

  const perType: Record<string, SpanMetrics> = {};
  const total = { support: 0, predicted: 0, correct: 0 };
  for (const type of [...counts.keys()].sort()) {
    const entry = counts.get(type) as { support: number; predicted: number; correct: number };
    perType[type] = metricsOf(entry);
    total.support += entry.support;
    total.predicted += entry.predicted;
    total.correct += entry.correct;
  }
  return {
    scheme,
    sequences: gold.length,
    tokens,
    token_accuracy: round(tokens === 0 ? 0 : rightTokens / tokens),
    overall: metricsOf(total),
    per_type: perType,
  };
}

/** Renders the report as aligned plain text for the terminal. */
export function formatSpanReport(report: SpanReport): string {
  const types = Object.keys(report.per_type);
  const width = Math.max(9, ...types.map((type) => type.length)) + 2;
  const row = (name: string, metrics: SpanMetrics): string =>
    `${name.padEnd(width)}${percent(metrics.precision).padStart(11)}${percent(metrics.recall).padStart(9)}${percent(metrics.f1).padStart(9)}${String(metrics.support).padStart(9)}`;
  return [
    `sequences       ${report.sequences}`,
    `tokens          ${report.tokens}`,
    `token accuracy  ${percent(report.token_accuracy)}`,
    `span F1         ${percent(report.overall.f1)} (${report.scheme})`,
    '',
    `${'type'.padEnd(width)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'F1'.padStart(9)}${'support'.padStart(9)}`,
    ...types.map((type) => row(type, report.per_type[type] as SpanMetrics)),
    row('overall', report.overall),
  ].join('\n');
}

function metricsOf(counts: { support: number; predicted: number; correct: number }): SpanMetrics {
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

function spanKey(span: Span): string {
  return `${span.type}\u0000${span.start}\u0000${span.end}`;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}
