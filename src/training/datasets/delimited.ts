import { MaasError } from '../../errors/index.js';

/** One record of a CSV or TSV file. */
export interface DelimitedRecord {
  /** Field values, with the enclosing quotes of quoted fields removed and `""` turned into `"`. */
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

/** Settings for {@link parseDelimited}. */
export interface DelimitedOptions {
  /** Field separator: `,` for CSV, tab for TSV. */
  delimiter: ',' | '\t';
  /**
   * Whether a `"` at the start of a field opens a quoted field as in RFC 4180. When false, quotes
   * are ordinary characters, as in IANA text/tab-separated-values, which has no quoting.
   */
  quoting: boolean;
}

const BYTE_ORDER_MARK = '\uFEFF';
const QUOTE = '"';
const LF = 0x0a;
const CR = 0x0d;

/**
 * Parses CSV or TSV text into records, following RFC 4180 when `quoting` is on.
 *
 * Accepts CRLF, LF and lone CR line breaks and a leading byte order mark. Skips blank lines,
 * meaning a record with a single unquoted field that is empty or whitespace. A line break inside
 * a quoted field stays in the field unchanged and still counts as a line, so `line` is always
 * the physical line number. A quote inside an unquoted field is an ordinary character, as most
 * CSV readers treat it.
 *
 * @throws MaasError MAAS_ERR_DATASET_INVALID when a quoted field is not closed (the message names
 * the line where it opens) or when a closing quote is followed by anything other than a
 * delimiter, a line break or the end of the text.
 */
export function parseDelimited(text: string, options: DelimitedOptions): Iterable<DelimitedRecord> {
  const source = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  if (options.quoting) {
    return new QuotedScanner(source, options.delimiter).records();
  }
  return splitUnquoted(source, options.delimiter);
}

function isBlankRecord(fields: readonly string[]): boolean {
  return fields.length === 1 && (fields[0] as string).trim() === '';
}

function* splitUnquoted(source: string, delimiter: string): Generator<DelimitedRecord> {
  const lineBreak = /\r\n|\n|\r/g;
  let start = 0;
  let line = 1;
  for (;;) {
    const match = lineBreak.exec(source);
    const end = match ? match.index : source.length;
    const fields = source.slice(start, end).split(delimiter);
    if (!isBlankRecord(fields)) {
      yield { fields, line };
    }
    if (!match) {
      return;
    }
    start = lineBreak.lastIndex;
    line++;
  }
}

/** Counts line breaks, taking CRLF as one. */
function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === CR) {
      count++;
      if (text.charCodeAt(i + 1) === LF) {
        i++;
      }
    } else if (code === LF) {
      count++;
    }
  }
  return count;
}

function invalidAt(line: number, reason: string): MaasError {
  return new MaasError(
    'MAAS_ERR_DATASET_INVALID',
    `Dataset is invalid at line ${line}: ${reason}`,
    {
      details: { lines: [line], count: 1 },
    },
  );
}

/** RFC 4180 scanner. `position` is the index of the next unread character. */
class QuotedScanner {
  private position = 0;
  private line = 1;
  private readonly delimiterCode: number;

  constructor(
    private readonly source: string,
    delimiter: string,
  ) {
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  *records(): Generator<DelimitedRecord> {
    while (this.position < this.source.length) {
      const line = this.line;
      const { fields, quoted } = this.readRecord();
      if (quoted || !isBlankRecord(fields)) {
        yield { fields, line };
      }
    }
  }

  private readRecord(): { fields: string[]; quoted: boolean } {
    const fields: string[] = [];
    let quoted = false;
    for (;;) {
      if (this.source[this.position] === QUOTE) {
        fields.push(this.readQuotedField());
        quoted = true;
      } else {
        fields.push(this.readUnquotedField());
      }
      if (this.source.charCodeAt(this.position) !== this.delimiterCode) {
        break;
      }
      this.position++;
    }
    this.skipLineBreak();
    return { fields, quoted };
  }

  private readUnquotedField(): string {
    const start = this.position;
    let end = start;
    while (end < this.source.length) {
      const code = this.source.charCodeAt(end);
      if (code === this.delimiterCode || code === LF || code === CR) {
        break;
      }
      end++;
    }
    this.position = end;
    return this.source.slice(start, end);
  }

  private readQuotedField(): string {
    const openingLine = this.line;
    const parts: string[] = [];
    let start = this.position + 1;
    for (;;) {
      const quoteIndex = this.source.indexOf(QUOTE, start);
      if (quoteIndex === -1) {
        throw invalidAt(
          openingLine,
          'a quoted field opens here and is not closed before the end of the file. ' +
            'Close the field with a quote, and write each quote inside it as "".',
        );
      }
      const part = this.source.slice(start, quoteIndex);
      this.line += countLineBreaks(part);
      parts.push(part);
      if (this.source[quoteIndex + 1] !== QUOTE) {
        this.position = quoteIndex + 1;
        break;
      }
      parts.push(QUOTE);
      start = quoteIndex + 2;
    }
    this.expectFieldEnd();
    return parts.join('');
  }

  private expectFieldEnd(): void {
    if (this.position >= this.source.length) {
      return;
    }
    const code = this.source.charCodeAt(this.position);
    if (code === this.delimiterCode || code === LF || code === CR) {
      return;
    }
    const found = JSON.stringify(this.source.slice(this.position, this.position + 10));
    throw invalidAt(
      this.line,
      `a closing quote is followed by ${found} instead of a delimiter or line break. ` +
        'Write each quote inside a quoted field as "", or remove the text after the closing quote.',
    );
  }

  private skipLineBreak(): void {
    const code = this.source.charCodeAt(this.position);
    if (code === CR) {
      this.position++;
      if (this.source.charCodeAt(this.position) === LF) {
        this.position++;
      }
      this.line++;
    } else if (code === LF) {
      this.position++;
      this.line++;
    }
  }
}
