import { RowProblems } from './row-problems.js';

/** One JSON object read from a JSON Lines file. */
export interface JsonLineRecord {
  value: Record<string, unknown>;
  /** 1-based line of the object. */
  line: number;
}

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Parses JSON Lines text: one JSON object per line, blank and whitespace-only lines skipped.
 * Accepts LF, CRLF and lone CR line breaks, because JSON text cannot contain a raw CR or LF
 * inside a string.
 *
 * A line that is not valid JSON or not an object is a problem for that line. With `problems`
 * given, such lines are added to it and left out of the result, so the caller can report them
 * together with its own row checks. Without it, they are thrown at the end.
 *
 * @throws MaasError MAAS_ERR_DATASET_INVALID naming every bad line, when `problems` is omitted.
 */
export function parseJsonLines(text: string, problems?: RowProblems): JsonLineRecord[] {
  const source = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  const collector = problems ?? new RowProblems();
  const records: JsonLineRecord[] = [];
  const lines = source.split(/\r\n|\n|\r/);
  for (let index = 0; index < lines.length; index++) {
    const content = lines[index] as string;
    if (content.trim() === '') {
      continue;
    }
    const line = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      collector.add(line, `invalid JSON (${(error as Error).message})`);
      continue;
    }
    if (!isJsonObject(value)) {
      collector.add(line, `expected a JSON object, found ${describeJsonType(value)}`);
      continue;
    }
    records.push({ value, line });
  }
  if (!problems) {
    collector.throwIfAny();
  }
  return records;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names the JSON type of a parsed value with its article, e.g. `an array`. */
export function describeJsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  return `a ${typeof value}`;
}
