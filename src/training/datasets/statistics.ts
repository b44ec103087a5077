/** Distribution of text lengths in Unicode code points. */
export interface TextLengthStatistics {
  min: number;
  /** Median, by the nearest-rank method like the other percentiles. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summary of a labeled dataset: row count, examples per label and text lengths. */
export interface DatasetStatistics {
  rows: number;
  /** Number of examples per label, with keys in sorted order. */
  labelCounts: Record<string, number>;
  textLength: TextLengthStatistics;
}

const HIGH_SURROGATE_FIRST = 0xd800;
const HIGH_SURROGATE_LAST = 0xdbff;
const LOW_SURROGATE_FIRST = 0xdc00;
const LOW_SURROGATE_LAST = 0xdfff;

/**
 * Counts the Unicode code points of `text`, so that an emoji outside the Basic Multilingual
 * Plane counts as 1 where `text.length` counts 2. A lone surrogate counts as 1.
 */
export function countCodePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code < HIGH_SURROGATE_FIRST || code > HIGH_SURROGATE_LAST) {
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (next >= LOW_SURROGATE_FIRST && next <= LOW_SURROGATE_LAST) {
      count--;
      i++;
    }
  }
  return count;
}

/**
 * Computes row count, examples per label and the distribution of text lengths.
 *
 * Lengths are Unicode code points, not UTF-16 code units, so 😀 has length 1 and 你好 length 2.
 * Percentiles use the nearest-rank method, so each is the length of an actual example. The mean
 * is not rounded. With no examples, every length statistic is 0.
 */
export function computeStatistics(
  examples: readonly { text: string; label: string }[],
): DatasetStatistics {
  const counts = new Map<string, number>();
  for (const example of examples) {
    counts.set(example.label, (counts.get(example.label) ?? 0) + 1);
  }
  // Object.fromEntries creates own properties, so a label such as "__proto__" is counted too.
  const labels = [...counts.keys()].sort();
  const labelCounts = Object.fromEntries(labels.map((label) => [label, counts.get(label) ?? 0]));
  const lengths = examples.map((example) => countCodePoints(example.text));
  return { rows: examples.length, labelCounts, textLength: summarizeLengths(lengths) };
}

/**
 * Summarizes a list of lengths: minimum, nearest-rank p50, p90 and p99, maximum and unrounded
 * mean. Every statistic is 0 for an empty list.
 */
export function summarizeLengths(lengths: readonly number[]): TextLengthStatistics {
  if (lengths.length === 0) {
    return { min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  }
  const sorted = Float64Array.from(lengths).sort();
  const total = sorted.reduce((sum, length) => sum + length, 0);
  return {
    min: sorted[0] as number,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1] as number,
    mean: total / sorted.length,
  };
}

/** Returns the smallest value with at least `percent` % of the sorted values at or below it. */
function nearestRank(sorted: Float64Array, percent: number): number {
  const rank = Math.max(1, Math.ceil((percent * sorted.length) / 100));
  return sorted[rank - 1] as number;
}
