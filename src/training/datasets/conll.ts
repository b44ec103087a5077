import { MaasError } from '../../errors/index.js';
import { guessLanguage, type LanguageHint } from './language-hint.js';
import { NUL, describeNul, isBlank, splitLines, type NumberedLine } from './lines.js';
import { RowProblems } from './row-problems.js';
import { summarizeLengths, type TextLengthStatistics } from './statistics.js';

/** Settings for reading a CoNLL-style token-per-line file. */
export interface TokenClassificationReadOptions {
  /** 0-based column of the token. Defaults to 0, the first column. */
  tokenColumn?: number;
  /** 0-based column of the tag. Defaults to the last column of each line. */
  tagColumn?: number;
  /**
   * Whether to rewrite an `I-X` tag that does not continue an `X` entity to `B-X`. Defaults to
   * false, which reports each such tag as an invalid line.
   */
  repairTags?: boolean;
}

/** One sentence: its tokens and their tags, in file order. */
export interface TaggedSentence {
  tokens: string[];
  tags: string[];
  /** 1-based line of the first token. */
  line: number;
}

/** Summary of a token-classification dataset. */
export interface TokenClassificationStatistics {
  /** Documents, counting the part before the first `-DOCSTART-` line when it has sentences. */
  documents: number;
  sentences: number;
  tokens: number;
  /** Number of tokens per tag, with keys in sorted order. */
  tagCounts: Record<string, number>;
  /** Number of entities (a `B-X` and the `I-X` tags after it) per entity type, sorted. */
  entityCounts: Record<string, number>;
  /** Distribution of sentence lengths, in tokens. */
  sentenceLength: TextLengthStatistics;
  /** Number of `I-X` tags rewritten to `B-X` by the `repairTags` option. */
  repairedTags: number;
  languageHint: LanguageHint;
}

/** Validated token-classification dataset. */
export interface TokenClassificationDataset {
  sentences: TaggedSentence[];
  /** Distinct tags sorted by UTF-16 code unit. */
  tags: string[];
  /** Columns of every token line, so the default tag column is `columnCount - 1`. */
  columnCount: number;
  stats: TokenClassificationStatistics;
}

/** Token of a line that marks a document boundary in CoNLL-2003 files. */
export const DOCUMENT_START = '-DOCSTART-';

interface SentenceBuilder {
  tokens: string[];
  tags: string[];
  line: number;
}

/**
 * Parses a CoNLL-style file with one token per line: columns separated by a tab when the line
 * has one, else by runs of spaces. A blank or whitespace-only line ends a sentence, and the
 * last sentence counts with or without a blank line after it. A line whose first column is
 * `-DOCSTART-` separates documents and is not a sentence.
 *
 * Checks every line before throwing. A line is invalid when it lacks the token or tag column,
 * when its column count differs from that of the first line with both, or when its token or
 * tag is empty or contains NUL (U+0000).
 * It is also invalid when its tag is not `O`, `B-TYPE` or `I-TYPE` (IOB2), for example an
 * IOBES `E-ORG` or a lower-case `o`. Last, it is invalid when its `I-X` tag continues no `X`
 * entity: at sentence start, after `O`, or after a tag of another type. With `repairTags`, such
 * an `I-X` tag becomes `B-X` instead.
 *
 * @throws MaasError MAAS_ERR_DATASET_INVALID naming the lines, MAAS_ERR_DATASET_EMPTY when the
 * file has no sentence, and MAAS_ERR_REQUEST_INVALID for a negative column.
 */
export function parseConllText(
  text: string,
  options: TokenClassificationReadOptions = {},
): TokenClassificationDataset {
  checkColumnOption(options.tokenColumn, 'token_column');
  checkColumnOption(options.tagColumn, 'tag_column');
  const problems = new RowProblems();
  const sentences: TaggedSentence[] = [];
  let documents = 0;
  let sentencesInDocument = 0;
  let columnCount: number | undefined;
  let current: SentenceBuilder | undefined;
  let repairedTags = 0;

  const endSentence = (): void => {
    if (current === undefined) return;
    repairedTags += checkBioTags(current, options.repairTags === true, problems);
    sentences.push(current);
    sentencesInDocument++;
    current = undefined;
  };

  for (const line of splitLines(text)) {
    if (isBlank(line.text)) {
      endSentence();
      continue;
    }
    const fields = splitColumns(line.text);
    if (fields[0] === DOCUMENT_START) {
      endSentence();
      if (sentencesInDocument > 0) documents++;
      sentencesInDocument = 0;
      continue;
    }
    const columns = findColumns(line, fields, columnCount, options, problems);
    // Only a line with a token and a tag sets the column count, so that a line that lacks
    // one does not make the valid lines after it look wrong.
    if (columns !== undefined) columnCount ??= fields.length;
    const token = columns === undefined ? undefined : readToken(line, fields, columns, problems);
    current ??= { tokens: [], tags: [], line: line.line };
    current.tokens.push(token?.token ?? '');
    current.tags.push(token?.tag ?? 'O');
  }
  endSentence();
  if (sentencesInDocument > 0) documents++;

  problems.throwIfAny();
  if (sentences.length === 0) {
    throw new MaasError(
      'MAAS_ERR_DATASET_EMPTY',
      'Dataset is empty: the file has no token lines. Add sentences, one token and its tag per line, and try again.',
    );
  }
  return {
    sentences,
    // The first valid token line sets the count, and a file without one has thrown above.
    columnCount: columnCount as number,
    ...summarize(sentences, documents, repairedTags),
  };
}

function checkColumnOption(value: number | undefined, param: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `${param} must be a 0-based column index (0 or more), got ${String(value)}`,
      { param },
    );
  }
}

/** Splits at tabs when the line has one, so that a token may contain spaces; else at spaces. */
function splitColumns(text: string): string[] {
  if (text.includes('\t')) {
    return text.split('\t').map((field) => field.trim());
  }
  return text.trim().split(/\s+/);
}

/**
 * Returns the token and tag columns of a line, or reports the line and returns undefined when it
 * lacks either column or has another column count than `columnCount`, the count of the first
 * line with both columns.
 */
function findColumns(
  line: NumberedLine,
  fields: string[],
  columnCount: number | undefined,
  options: TokenClassificationReadOptions,
  problems: RowProblems,
): { tokenColumn: number; tagColumn: number } | undefined {
  const tokenColumn = options.tokenColumn ?? 0;
  const tagColumn = options.tagColumn ?? fields.length - 1;
  if (tokenColumn === tagColumn) {
    problems.add(
      line.line,
      fields.length < 2
        ? `expected a token and its tag, found ${fields.length} column`
        : `token_column and tag_column are both ${tokenColumn}; choose two different columns`,
    );
    return undefined;
  }
  if (fields[tokenColumn] === undefined || fields[tagColumn] === undefined) {
    const missing = Math.max(tokenColumn, tagColumn) + 1;
    problems.add(line.line, `expected at least ${missing} columns, found ${fields.length}`);
    return undefined;
  }
  if (columnCount !== undefined && fields.length !== columnCount) {
    problems.add(line.line, `expected ${columnCount} columns, found ${fields.length}`);
    return undefined;
  }
  return { tokenColumn, tagColumn };
}

function readToken(
  line: NumberedLine,
  fields: string[],
  columns: { tokenColumn: number; tagColumn: number },
  problems: RowProblems,
): { token: string; tag: string } | undefined {
  const token = fields[columns.tokenColumn] as string;
  const tag = fields[columns.tagColumn] as string;
  const reasons: string[] = [];
  if (token === '') reasons.push('token is empty');
  if (tag === '') reasons.push('tag is empty');
  if (token.includes(NUL)) reasons.push(describeNul('token'));
  if (tag.includes(NUL)) reasons.push(describeNul('tag'));
  if (reasons.length > 0) {
    problems.add(line.line, reasons.join(' and '));
    return undefined;
  }
  return { token, tag };
}

/** Tag of the IOB2 scheme: `O`, or `B-` or `I-` and a non-empty entity type. */
const IOB2_TAG = /^(?:O|[BI]-.+)$/;

/**
 * Checks that each tag is an IOB2 tag and that each `I-X` tag continues an `X` entity. Reports
 * each tag that is not IOB2, and reports or repairs each `I-X` that continues no entity.
 * Returns the number repaired.
 */
function checkBioTags(sentence: SentenceBuilder, repair: boolean, problems: RowProblems): number {
  let repaired = 0;
  // Undefined after a tag that is not IOB2, whose line is already reported, so that the `I-X`
  // after it is not blamed as well.
  let previous: string | undefined = 'O';
  for (let i = 0; i < sentence.tags.length; i++) {
    const tag = sentence.tags[i] as string;
    if (!IOB2_TAG.test(tag)) {
      problems.add(sentence.line + i, describeInvalidTag(tag));
      previous = undefined;
      continue;
    }
    if (tag.startsWith('I-') && previous !== undefined) {
      const type = tag.slice(2);
      const continues = previous === `B-${type}` || previous === `I-${type}`;
      if (!continues && repair) {
        sentence.tags[i] = `B-${type}`;
        repaired++;
      } else if (!continues) {
        const where = i === 0 ? 'at the start of a sentence' : `after ${previous}`;
        problems.add(
          sentence.line + i,
          `tag ${tag} ${where} continues no entity of type ${type}; use B-${type}, or set repair_tags to rewrite it`,
        );
      }
    }
    previous = sentence.tags[i] as string;
  }
  return repaired;
}

/** Describes a tag that is not IOB2, with the fix for the usual causes. */
function describeInvalidTag(tag: string): string {
  const problem = `tag ${JSON.stringify(tag)} is invalid because tags must be O, B-TYPE or I-TYPE (IOB2)`;
  if (/^[ESUL]-/.test(tag)) {
    return `${problem}; convert IOBES or BILOU tags: S-X and U-X to B-X, E-X and L-X to I-X`;
  }
  if (/^(?:o|[bi]-.+)$/.test(tag)) {
    return `${problem}; write O, B and I in upper case`;
  }
  return `${problem}; write O outside entities, and B- or I- before the entity type, e.g. B-PER`;
}

function summarize(
  sentences: readonly TaggedSentence[],
  documents: number,
  repairedTags: number,
): { tags: string[]; stats: TokenClassificationStatistics } {
  const tagCounts = new Map<string, number>();
  const entityCounts = new Map<string, number>();
  let tokens = 0;
  const sample: string[] = [];
  for (const sentence of sentences) {
    tokens += sentence.tokens.length;
    if (sample.length < 2000) sample.push(sentence.tokens.join(' '));
    for (const tag of sentence.tags) {
      tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
      if (tag.startsWith('B-')) {
        const type = tag.slice(2);
        entityCounts.set(type, (entityCounts.get(type) ?? 0) + 1);
      }
    }
  }
  const tags = [...tagCounts.keys()].sort();
  return {
    tags,
    stats: {
      documents,
      sentences: sentences.length,
      tokens,
      tagCounts: sortedRecord(tagCounts),
      entityCounts: sortedRecord(entityCounts),
      sentenceLength: summarizeLengths(sentences.map((sentence) => sentence.tokens.length)),
      repairedTags,
      languageHint: guessLanguage(sample.join('\n')),
    },
  };
}

/** Builds a record with keys in sorted order; own properties, so `__proto__` is kept too. */
export function sortedRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.keys()].sort().map((key) => [key, counts.get(key) ?? 0]));
}
