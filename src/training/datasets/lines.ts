/**
 * NUL (U+0000). The prediction endpoints reject input text that contains it, so the dataset
 * readers reject it too: in a CoNLL token or tag, any CoNLL-U column, a classification text or
 * label, and any plain-text line.
 */
export const NUL = '\u0000';

/** Returns the row problem for a field that contains NUL, e.g. `token contains a NUL character`. */
export function describeNul(field: string): string {
  return `${field} contains a NUL character (U+0000)`;
}

/** One line of a text file with its 1-based number. */
export interface NumberedLine {
  text: string;
  line: number;
}

/**
 * Splits text into lines at CRLF, LF or a lone CR, numbering them from 1. A final line break
 * does not start an empty last line.
 */
export function splitLines(text: string): NumberedLine[] {
  const parts = text.split(/\r\n|\n|\r/);
  if (parts.length > 1 && parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts.map((part, index) => ({ text: part, line: index + 1 }));
}

/** Checks whether a line is empty or holds only whitespace, which ends a sentence. */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}
