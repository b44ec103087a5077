import { MaasError } from '../../errors/index.js';
import { sortedRecord } from './conll.js';
import { guessLanguage, type LanguageHint } from './language-hint.js';
import { NUL, describeNul, isBlank, splitLines, type NumberedLine } from './lines.js';
import { RowProblems } from './row-problems.js';
import { summarizeLengths, type TextLengthStatistics } from './statistics.js';

/** Settings for reading a CoNLL-U file with PropBank columns. */
export interface SemanticRoleReadOptions {
  /**
   * 0-based column of the predicate sense (`come.03`, or `_` for a token that is no predicate).
   * One argument column per predicate follows it. Defaults to the column that fits the first
   * sentences with a predicate: 10 (after the ten CoNLL-U columns, as Universal Propositions
   * for English writes) or 9 (the Chinese release, whose column 8 flags predicates with `Y`).
   */
  senseColumn?: number;
}

/** One training instance: a sentence with the argument labels of one of its predicates. */
export interface SemanticRoleInstance {
  tokens: string[];
  /** 0-based index of the predicate token. */
  predicateIndex: number;
  /** Predicate sense, e.g. `come.03`. */
  sense: string;
  /** Argument label per token: `O` for none, `V` for the predicate, else the role, e.g. `ARG0`. */
  labels: string[];
  /** 1-based line of the predicate token. */
  line: number;
}

/** Summary of a semantic role labeling dataset. */
export interface SemanticRoleStatistics {
  sentences: number;
  /** Sentences without a predicate; they give no instance. */
  sentencesWithoutPredicate: number;
  instances: number;
  tokens: number;
  /**
   * Number of labeled tokens per role over all instances, `V` and `O` excluded, sorted. Universal
   * Propositions labels the head token of each argument, so this is also the argument count.
   */
  roleCounts: Record<string, number>;
  sentenceLength: TextLengthStatistics;
  /** 1-based position of the furthest predicate in its sentence, 0 without predicates. */
  lastPredicateToken: number;
  senseColumn: number;
  languageHint: LanguageHint;
}

/** Validated semantic role labeling dataset. */
export interface SemanticRoleDataset {
  instances: SemanticRoleInstance[];
  /** Distinct argument labels, `O` and `V` included, sorted by UTF-16 code unit. */
  labels: string[];
  /** Sense column that the file's layout implies, used when `senseColumn` is not given. */
  detectedSenseColumn: number;
  stats: SemanticRoleStatistics;
}

/** Sense columns tried, in order, when none is given. */
const SENSE_COLUMN_CANDIDATES = [10, 9] as const;

/** Sentences with a predicate that the detection of the sense column looks at. */
const DETECTION_SENTENCES = 20;

const NO_VALUE = '_';

interface TokenLine {
  fields: string[];
  line: number;
}

interface Sentence {
  tokens: TokenLine[];
  line: number;
  /** Whether a line of the sentence is already reported as invalid. */
  invalid: boolean;
}

/**
 * Parses a CoNLL-U file with a predicate-sense column and one argument column per predicate,
 * and returns one instance per predicate. Comment lines (`#`) are skipped, a blank or
 * whitespace-only line ends a sentence, and multiword-token lines (`3-4`) and empty nodes
 * (`5.1`) are skipped because they are not surface tokens.
 *
 * A line is invalid when it is not tab-separated with an integer ID that counts up from 1, has
 * an empty form, contains NUL (U+0000) in any column, or has another column count than the
 * sentence's first token line. A sentence
 * is invalid, at its first line, when its argument columns do not number its predicates. A
 * sentence without a predicate may have one placeholder argument column with no label in it,
 * as the Universal Propositions files write.
 *
 * @throws MaasError MAAS_ERR_DATASET_INVALID naming the lines, MAAS_ERR_DATASET_EMPTY when no
 * sentence has a token, and MAAS_ERR_REQUEST_INVALID for a negative sense column.
 */
export function parseSemanticRoleText(
  text: string,
  options: SemanticRoleReadOptions = {},
): SemanticRoleDataset {
  const problems = new RowProblems();
  const sentences = readSentences(splitLines(text), problems);
  if (sentences.length === 0) {
    problems.throwIfAny();
    throw new MaasError(
      'MAAS_ERR_DATASET_EMPTY',
      'Dataset is empty: the file has no token lines. Add CoNLL-U sentences and try again.',
    );
  }
  const detectedSenseColumn = detectSenseColumn(sentences);
  const senseColumn = options.senseColumn ?? detectedSenseColumn;
  if (!Number.isSafeInteger(senseColumn) || senseColumn < 1) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `sense_column must be a 0-based column index of 1 or more, got ${String(senseColumn)}`,
      { param: 'sense_column' },
    );
  }
  const instances: SemanticRoleInstance[] = [];
  let withoutPredicate = 0;
  for (const sentence of sentences) {
    const found = readInstances(sentence, senseColumn, problems);
    instances.push(...found);
    if (found.length === 0) withoutPredicate++;
  }
  problems.throwIfAny();
  return {
    ...summarize(instances, sentences, withoutPredicate, senseColumn),
    detectedSenseColumn,
  };
}

/** Groups token lines into sentences, reporting lines that are not CoNLL-U token lines. */
function readSentences(lines: readonly NumberedLine[], problems: RowProblems): Sentence[] {
  const sentences: Sentence[] = [];
  let current: Sentence | undefined;
  for (const { text, line } of lines) {
    if (isBlank(text)) {
      if (current !== undefined) sentences.push(current);
      current = undefined;
      continue;
    }
    if (text.startsWith('#')) continue;
    const fields = text.split('\t');
    const id = fields[0] ?? '';
    if (/^\d+-\d+$/.test(id) || /^\d+\.\d+$/.test(id)) continue;
    current ??= { tokens: [], line, invalid: false };
    const problem = checkTokenLine(fields, current.tokens.length + 1);
    if (problem !== undefined) {
      problems.add(line, problem);
      current.invalid = true;
    }
    current.tokens.push({ fields, line });
  }
  if (current !== undefined) sentences.push(current);
  return sentences;
}

function checkTokenLine(fields: readonly string[], expectedId: number): string | undefined {
  const id = fields[0] ?? '';
  if (fields.length < 2) {
    return 'expected tab-separated CoNLL-U columns, found no tab';
  }
  if (id !== String(expectedId)) {
    return `expected token ID ${expectedId}, found ${JSON.stringify(id)}`;
  }
  if ((fields[1] as string).trim() === '') {
    return 'form (column 1) is empty';
  }
  const nulColumn = fields.findIndex((field) => field.includes(NUL));
  if (nulColumn !== -1) {
    return describeNul(nulColumn === 1 ? 'form (column 1)' : `column ${nulColumn}`);
  }
  return undefined;
}

/** Counts the predicates of a sentence for a sense column: values other than `_` and empty. */
function countPredicates(sentence: Sentence, senseColumn: number): number {
  return sentence.tokens.filter(({ fields }) => isValue(fields[senseColumn])).length;
}

function isValue(field: string | undefined): field is string {
  return field !== undefined && field.trim() !== '' && field.trim() !== NO_VALUE;
}

/** Picks the candidate sense column whose argument columns fit the most sentences. */
function detectSenseColumn(sentences: readonly Sentence[]): number {
  const sample = sentences
    .filter((sentence) => SENSE_COLUMN_CANDIDATES.some((c) => countPredicates(sentence, c) > 0))
    .slice(0, DETECTION_SENTENCES);
  let best: number = SENSE_COLUMN_CANDIDATES[0];
  let bestFits = -1;
  for (const candidate of SENSE_COLUMN_CANDIDATES) {
    const fits = sample.filter((sentence) => {
      const columns = sentence.tokens[0]?.fields.length ?? 0;
      return countPredicates(sentence, candidate) === columns - candidate - 1;
    }).length;
    if (fits > bestFits) {
      best = candidate;
      bestFits = fits;
    }
  }
  return best;
}

function readInstances(
  sentence: Sentence,
  senseColumn: number,
  problems: RowProblems,
): SemanticRoleInstance[] {
  if (sentence.invalid) return [];
  const columns = sentence.tokens[0]?.fields.length ?? 0;
  let consistent = true;
  for (const { fields, line } of sentence.tokens) {
    if (fields.length !== columns) {
      problems.add(
        line,
        `expected ${columns} columns as on line ${sentence.line}, found ${fields.length}`,
      );
      consistent = false;
    }
  }
  if (!consistent) return [];

  if (columns <= senseColumn) {
    problems.add(
      sentence.line,
      `expected the predicate sense in column ${senseColumn}, but the sentence has ${columns} columns; set sense_column`,
    );
    return [];
  }
  const predicates = sentence.tokens.flatMap(({ fields }, index) =>
    isValue(fields[senseColumn]) ? [index] : [],
  );

  const argumentColumns = columns - senseColumn - 1;
  if (predicates.length === 0 && argumentColumns <= 1 && !hasArgumentLabel(sentence, senseColumn)) {
    return [];
  }
  if (argumentColumns !== predicates.length) {
    problems.add(
      sentence.line,
      `sentence has ${predicates.length} predicate(s) in column ${senseColumn} but ${argumentColumns} argument column(s) after it`,
    );
    return [];
  }

  const tokens = sentence.tokens.map(({ fields }) => (fields[1] as string).trim());
  return predicates.map((predicateIndex, k) => ({
    tokens,
    predicateIndex,
    sense: (sentence.tokens[predicateIndex]?.fields[senseColumn] as string).trim(),
    labels: sentence.tokens.map(({ fields }) => {
      const value = fields[senseColumn + 1 + k];
      return isValue(value) ? value.trim() : 'O';
    }),
    line: sentence.tokens[predicateIndex]?.line ?? sentence.line,
  }));
}

function hasArgumentLabel(sentence: Sentence, senseColumn: number): boolean {
  return sentence.tokens.some(({ fields }) => fields.slice(senseColumn + 1).some(isValue));
}

function summarize(
  instances: SemanticRoleInstance[],
  sentences: readonly Sentence[],
  sentencesWithoutPredicate: number,
  senseColumn: number,
): Omit<SemanticRoleDataset, 'detectedSenseColumn'> {
  const roleCounts = new Map<string, number>();
  const labels = new Set<string>();
  for (const instance of instances) {
    for (const label of instance.labels) {
      labels.add(label);
      if (label !== 'O' && label !== 'V') {
        roleCounts.set(label, (roleCounts.get(label) ?? 0) + 1);
      }
    }
  }
  const lengths = sentences.map((sentence) => sentence.tokens.length);
  const sample = sentences
    .slice(0, 2000)
    .map((sentence) => sentence.tokens.map(({ fields }) => fields[1] ?? '').join(' '));
  return {
    instances,
    labels: [...labels].sort(),
    stats: {
      sentences: sentences.length,
      sentencesWithoutPredicate,
      instances: instances.length,
      tokens: lengths.reduce((sum, length) => sum + length, 0),
      roleCounts: sortedRecord(roleCounts),
      sentenceLength: summarizeLengths(lengths),
      lastPredicateToken: instances.reduce(
        (last, instance) => Math.max(last, instance.predicateIndex + 1),
        0,
      ),
      senseColumn,
      languageHint: guessLanguage(sample.join('\n')),
    },
  };
}
