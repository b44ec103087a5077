import { argmax } from './math.js';
import type { EntityGroup, TokenEntity } from './types.js';

/** Strategies of the Python `TokenClassificationPipeline` for merging tokens into entities. */
export const AGGREGATION_STRATEGIES = ['none', 'simple', 'first', 'average', 'max'] as const;

export type AggregationStrategy = (typeof AGGREGATION_STRATEGIES)[number];

/** One token of the input with its label probabilities and offsets. */
export interface ScoredToken {
  /** Position in the encoded input, counting `[CLS]` as 0. */
  index: number;
  start: number;
  end: number;
  /** Probability of each label, in id order. */
  scores: readonly number[];
  /** True for a token that continues the word of the token before it (`##` pieces). */
  isSubword: boolean;
}

interface LabeledSpan {
  entity: string;
  score: number;
  start: number;
  end: number;
}

function bestLabel(scores: readonly number[], labels: readonly string[]) {
  const id = argmax(scores);
  return { entity: labels[id] ?? `LABEL_${id}`, score: scores[id] as number };
}

/** Labels one whole word from its tokens, as `first`, `average` or `max` prescribes. */
function labelWord(
  tokens: readonly ScoredToken[],
  strategy: 'first' | 'average' | 'max',
  labels: readonly string[],
): LabeledSpan {
  const first = tokens[0] as ScoredToken;
  const last = tokens.at(-1) as ScoredToken;
  let scores: readonly number[];
  if (strategy === 'first') {
    scores = first.scores;
  } else if (strategy === 'max') {
    // The token whose best label is the most confident decides, the first one on ties.
    let best = first;
    for (const token of tokens) {
      if (Math.max(...token.scores) > Math.max(...best.scores)) best = token;
    }
    scores = best.scores;
  } else {
    scores = first.scores.map(
      (_, id) =>
        tokens.reduce((sum, token) => sum + (token.scores[id] as number), 0) / tokens.length,
    );
  }
  return { ...bestLabel(scores, labels), start: first.start, end: last.end };
}

/** Splits tokens into words: a word is a token followed by its subword tokens. */
function groupWords(tokens: readonly ScoredToken[]): ScoredToken[][] {
  const words: ScoredToken[][] = [];
  for (const token of tokens) {
    const current = words.at(-1);
    if (current !== undefined && token.isSubword) current.push(token);
    else words.push([token]);
  }
  return words;
}

/** Splits a label into its `B`/`I` prefix and its tag; other labels count as `I`. */
function splitTag(entity: string): { prefix: 'B' | 'I'; tag: string } {
  if (entity.startsWith('B-')) return { prefix: 'B', tag: entity.slice(2) };
  if (entity.startsWith('I-')) return { prefix: 'I', tag: entity.slice(2) };
  return { prefix: 'I', tag: entity };
}

/**
 * Merges adjacent spans with the same tag into entity groups. A `B-` label starts a new
 * group even after the same tag, and the group's score is the mean of its spans' scores.
 */
function groupEntities(spans: readonly LabeledSpan[], text: string): EntityGroup[] {
  const runs: LabeledSpan[][] = [];
  for (const span of spans) {
    const run = runs.at(-1);
    const previous = run?.at(-1);
    const { prefix, tag } = splitTag(span.entity);
    if (
      run !== undefined &&
      previous !== undefined &&
      splitTag(previous.entity).tag === tag &&
      prefix !== 'B'
    ) {
      run.push(span);
    } else {
      runs.push([span]);
    }
  }

  return runs.map((run) => {
    const first = run[0] as LabeledSpan;
    const last = run.at(-1) as LabeledSpan;
    // Python takes the label after the first '-', so `S-PER` gives `PER` here too.
    const dash = first.entity.indexOf('-');
    return {
      entity_group: dash === -1 ? first.entity : first.entity.slice(dash + 1),
      score: run.reduce((sum, span) => sum + span.score, 0) / run.length,
      word: text.slice(first.start, last.end),
      start: first.start,
      end: last.end,
    };
  });
}

/**
 * Turns scored tokens into the output of the Python `TokenClassificationPipeline` for
 * `strategy`, dropping entities whose label (or group) is in `ignoreLabels` after grouping.
 * `word` is always the original text between `start` and `end`.
 */
export function aggregateTokens(
  text: string,
  tokens: readonly ScoredToken[],
  labels: readonly string[],
  strategy: 'none',
  ignoreLabels: readonly string[],
): TokenEntity[];
export function aggregateTokens(
  text: string,
  tokens: readonly ScoredToken[],
  labels: readonly string[],
  strategy: Exclude<AggregationStrategy, 'none'>,
  ignoreLabels: readonly string[],
): EntityGroup[];
export function aggregateTokens(
  text: string,
  tokens: readonly ScoredToken[],
  labels: readonly string[],
  strategy: AggregationStrategy,
  ignoreLabels: readonly string[],
): TokenEntity[] | EntityGroup[];
export function aggregateTokens(
  text: string,
  tokens: readonly ScoredToken[],
  labels: readonly string[],
  strategy: AggregationStrategy,
  ignoreLabels: readonly string[],
): TokenEntity[] | EntityGroup[] {
  if (strategy === 'none') {
    return tokens
      .map((token) => ({
        ...bestLabel(token.scores, labels),
        index: token.index,
        word: text.slice(token.start, token.end),
        start: token.start,
        end: token.end,
      }))
      .filter((entity) => !ignoreLabels.includes(entity.entity));
  }

  const spans: LabeledSpan[] =
    strategy === 'simple'
      ? tokens.map((token) => ({
          ...bestLabel(token.scores, labels),
          start: token.start,
          end: token.end,
        }))
      : groupWords(tokens).map((word) => labelWord(word, strategy, labels));
  return groupEntities(spans, text).filter((group) => !ignoreLabels.includes(group.entity_group));
}
