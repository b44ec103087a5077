/** Queued input, reduced to what batch selection uses. */
export interface SizedEntry {
  /** Tokens the input occupies in a padded batch, at least 1. */
  readonly length: number;
}

/** The budgets that bound a batch. */
export interface BatchBudget {
  readonly maxBatchSize: number;
  readonly maxBatchTokens: number;
  /** Maximum padded tokens per real token; unbounded when absent. */
  readonly maxPaddingRatio?: number;
}

export interface BatchSelection<Entry> {
  /** The selected entries, shortest first and in queue order among equal lengths. */
  readonly entries: Entry[];
  /** Length of the longest selected entry, which every row is padded to. */
  readonly longest: number;
  /** Whether no further input could join, so waiting for more would not grow the batch. */
  readonly full: boolean;
}

/** Tokens of a padded batch: every row is as long as the longest one. */
export function paddedTokens(size: number, longest: number): number {
  return size * Math.max(1, longest);
}

/**
 * Selects the next batch from `queue`, which must be in arrival order and non-empty.
 *
 * The oldest entry always joins, even when it alone exceeds `maxBatchTokens`, so no entry
 * waits forever. The other entries are tried by how close their length is to the oldest
 * one's (older first among equal distances). Each joins if the batch stays within
 * `maxBatchSize`, its padded size within `maxBatchTokens`, and its padded size within
 * `maxPaddingRatio` times its real tokens. Grouping similar lengths keeps padding small.
 */
export function selectBatch<Entry extends SizedEntry>(
  queue: readonly Entry[],
  budget: BatchBudget,
): BatchSelection<Entry> {
  const oldest = queue[0];
  if (oldest === undefined) {
    throw new RangeError('selectBatch needs a non-empty queue');
  }

  const candidates = queue.slice(1).map((entry, offset) => ({ entry, position: offset + 1 }));
  candidates.sort(
    (a, b) =>
      Math.abs(a.entry.length - oldest.length) - Math.abs(b.entry.length - oldest.length) ||
      a.position - b.position,
  );

  const selected = [{ entry: oldest, position: 0 }];
  let longest = oldest.length;
  let realTokens = Math.max(1, oldest.length);
  const maxPaddingRatio = budget.maxPaddingRatio ?? Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (selected.length >= budget.maxBatchSize) break;
    const nextLongest = Math.max(longest, candidate.entry.length);
    const nextPadded = paddedTokens(selected.length + 1, nextLongest);
    if (nextPadded > budget.maxBatchTokens) continue;
    const nextReal = realTokens + Math.max(1, candidate.entry.length);
    if (nextPadded > maxPaddingRatio * nextReal) continue;
    selected.push(candidate);
    longest = nextLongest;
    realTokens = nextReal;
  }

  // Shortest first, so that a runtime that splits the batch into smaller ones pads each little.
  selected.sort((a, b) => a.entry.length - b.entry.length || a.position - b.position);
  const full =
    selected.length >= budget.maxBatchSize ||
    selected.length < queue.length ||
    paddedTokens(selected.length + 1, longest) > budget.maxBatchTokens;
  return { entries: selected.map((item) => item.entry), longest, full };
}
