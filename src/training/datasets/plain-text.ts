import { MaasError } from '../../errors/index.js';
import { guessLanguage, type LanguageHint } from './language-hint.js';
import { isBlank, splitLines } from './lines.js';
import { RowProblems } from './row-problems.js';
import { countCodePoints, summarizeLengths, type TextLengthStatistics } from './statistics.js';

/** Summary of a plain-text dataset for language modelling. */
export interface PlainTextStatistics {
  /** Unicode code points, line breaks included. */
  characters: number;
  lines: number;
  /** Lines that are not blank. */
  nonBlankLines: number;
  /** Distinct code points: the vocabulary size of a character-level model. */
  distinctCharacters: number;
  /** Distribution of line lengths in code points, over the non-blank lines. */
  lineLength: TextLengthStatistics;
  languageHint: LanguageHint;
}

/** Validated plain text. */
export interface PlainTextDataset {
  text: string;
  stats: PlainTextStatistics;
}

/**
 * Validates plain text for language modelling and computes its statistics. A line with a NUL
 * character is invalid, because NUL marks a binary file rather than text.
 *
 * @throws MaasError MAAS_ERR_DATASET_INVALID naming the lines with NUL, and
 * MAAS_ERR_DATASET_EMPTY when the text is empty or only whitespace.
 */
export function parsePlainText(text: string): PlainTextDataset {
  const lines = splitLines(text);
  const problems = new RowProblems();
  const lengths: number[] = [];
  for (const { text: lineText, line } of lines) {
    if (lineText.includes('\0')) {
      problems.add(line, 'contains a NUL character; plain text cannot contain binary data');
    }
    if (!isBlank(lineText)) lengths.push(countCodePoints(lineText));
  }
  problems.throwIfAny();
  if (lengths.length === 0) {
    throw new MaasError(
      'MAAS_ERR_DATASET_EMPTY',
      'Dataset is empty: the text has no visible characters. Upload a non-empty text file.',
    );
  }
  return {
    text,
    stats: {
      characters: countCodePoints(text),
      lines: lines.length,
      nonBlankLines: lengths.length,
      distinctCharacters: new Set(text).size,
      lineLength: summarizeLengths(lengths),
      languageHint: guessLanguage(text),
    },
  };
}
