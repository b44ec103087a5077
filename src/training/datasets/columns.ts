import { MaasError } from '../../errors/index.js';

/** A column given by name (header name or JSON key) or by 0-based index. */
export type ColumnSelector = string | number;

/** Role of a column in a classification dataset: the text or the label. */
export type ColumnRole = 'text' | 'label';

/** Column names tried in order when no text column is given. */
export const DEFAULT_TEXT_COLUMNS: readonly string[] = ['text', 'review', 'sentence', 'content'];

/** Column names tried in order when no label column is given. */
export const DEFAULT_LABEL_COLUMNS: readonly string[] = [
  'label',
  'labels',
  'category',
  'cat',
  'class',
];

const MAX_QUOTED_NAME_LENGTH = 40;

function optionName(role: ColumnRole): string {
  return `${role}Column`;
}

function defaultNames(role: ColumnRole): readonly string[] {
  return role === 'text' ? DEFAULT_TEXT_COLUMNS : DEFAULT_LABEL_COLUMNS;
}

/** Quotes a column name for a message, cut short because a misread data row can be long. */
function quoteColumnName(name: string): string {
  const truncated =
    name.length > MAX_QUOTED_NAME_LENGTH ? `${name.slice(0, MAX_QUOTED_NAME_LENGTH)}…` : name;
  return JSON.stringify(truncated);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

/** Finds `name` in `available`, ignoring case and surrounding whitespace. Returns -1 if absent. */
function findName(available: readonly string[], name: string): number {
  const expected = normalizeName(name);
  return available.findIndex((candidate) => normalizeName(candidate) === expected);
}

function columnNotFound(role: ColumnRole, message: string, available: string[]): MaasError {
  return new MaasError('MAAS_ERR_DATASET_COLUMN_NOT_FOUND', message, {
    param: optionName(role),
    details: { available },
  });
}

/** Source of the available column names: a header row or the keys of JSON objects. */
type NameSource = 'header' | 'keys';

function describeAvailable(available: readonly string[], source: NameSource): string {
  const names = available.map(quoteColumnName).join(', ');
  if (source === 'header') {
    return available.length === 0 ? 'the header row is empty' : `the header row has ${names}`;
  }
  return available.length === 0 ? 'the rows have no keys' : `the rows have the keys ${names}`;
}

function fixHint(role: ColumnRole, source: NameSource): string {
  const option = optionName(role);
  if (source === 'keys') {
    return `Set ${option} to one of these keys.`;
  }
  return (
    `Set ${option} to one of these names or to a 0-based column index, ` +
    'or set header to false if the first row is data.'
  );
}

function resolveName(
  role: ColumnRole,
  selector: string | undefined,
  available: readonly string[],
  source: NameSource,
): number {
  if (selector !== undefined) {
    const index = findName(available, selector);
    if (index === -1) {
      const column = `${capitalize(role)} column ${quoteColumnName(selector)}`;
      const message =
        `${column} not found: ${describeAvailable(available, source)}. ` + fixHint(role, source);
      throw columnNotFound(role, message, [...available]);
    }
    return index;
  }
  for (const name of defaultNames(role)) {
    const index = findName(available, name);
    if (index !== -1) {
      return index;
    }
  }
  const message =
    `No ${role} column found: expected a column named ${defaultNames(role).join(', ')}, ` +
    `but ${describeAvailable(available, source)}. ${fixHint(role, source)}`;
  throw columnNotFound(role, message, [...available]);
}

function checkIndex(role: ColumnRole, index: number, fieldCount: number): number {
  const option = optionName(role);
  if (!Number.isInteger(index) || index < 0) {
    const message = `${option} must be a column name or a 0-based integer index, found ${index}.`;
    throw new MaasError('MAAS_ERR_DATASET_COLUMN_NOT_FOUND', message, { param: option });
  }
  if (index >= fieldCount) {
    const message =
      `${option} index ${index} is out of range: the rows have ${fieldCount} ` +
      `column${fieldCount === 1 ? '' : 's'}, with indexes 0 to ${fieldCount - 1}.`;
    throw new MaasError('MAAS_ERR_DATASET_COLUMN_NOT_FOUND', message, { param: option });
  }
  return index;
}

/**
 * Resolves the text or label column of a CSV or TSV file to a field index.
 *
 * A number is a 0-based index, checked against `fieldCount`. A name is looked up in the header
 * ignoring case and surrounding whitespace, and without a selector the default names for the
 * role are tried in order. Without a header row, only an index can select a column.
 *
 * @param header The header row's fields, or undefined when the file has no header row.
 * @param fieldCount Number of fields that every row is expected to have.
 * @throws MaasError MAAS_ERR_DATASET_COLUMN_NOT_FOUND listing the available columns.
 */
export function resolveFieldIndex(
  role: ColumnRole,
  selector: ColumnSelector | undefined,
  header: readonly string[] | undefined,
  fieldCount: number,
): number {
  if (typeof selector === 'number') {
    return checkIndex(role, selector, fieldCount);
  }
  if (header === undefined) {
    const option = optionName(role);
    const message =
      `The file has no header row, so ${option} must be a 0-based column index ` +
      `(the rows have ${fieldCount} columns). Set ${option}, or set header to true ` +
      'if the first row names the columns.';
    throw new MaasError('MAAS_ERR_DATASET_COLUMN_NOT_FOUND', message, { param: option });
  }
  return resolveName(role, selector, header, 'header');
}

/**
 * Resolves the text or label column of a JSON Lines file to a key among `keys`, the keys found
 * in any row. Names match as in {@link resolveFieldIndex} and the returned key is spelled as in
 * the file.
 *
 * @throws MaasError MAAS_ERR_DATASET_COLUMN_NOT_FOUND when no key matches, and when the selector
 * is a number, because JSON objects have keys rather than column positions.
 */
export function resolveJsonKey(
  role: ColumnRole,
  selector: ColumnSelector | undefined,
  keys: readonly string[],
): string {
  if (typeof selector === 'number') {
    const option = optionName(role);
    const message =
      `${option} is the index ${selector}, but JSON Lines rows are objects, so select the ` +
      `column by key. Here ${describeAvailable(keys, 'keys')}.`;
    throw columnNotFound(role, message, [...keys]);
  }
  return keys[resolveName(role, selector, keys, 'keys')] as string;
}
