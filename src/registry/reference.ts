import { MaasError } from '../errors/index.js';

/**
 * Pattern of a model name: 1 to 128 letters, digits, `.`, `_` or `-`, starting with a letter or
 * digit. A name is also a folder name in the artifact store, so it may not contain `..` either
 * (see {@link isValidModelName}).
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Pattern of an alias: 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter so that
 * `name@3` always means a version number.
 */
export const ALIAS_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** Alias that a bare model reference resolves to when it is set. */
export const PRODUCTION_ALIAS = 'production';

/** A parsed model reference. At most one of `version` and `alias` is set. */
export interface ModelReference {
  name: string;
  version?: number;
  alias?: string;
}

const VALID_FORMS =
  'use name, name@version or name@alias, e.g. sentiment-zh, sentiment-zh@3 or ' +
  'sentiment-zh@staging (a version is an integer from 1; an alias starts with a letter)';

/** Reports whether `name` is a valid model name. */
export function isValidModelName(name: string): boolean {
  return MODEL_NAME_PATTERN.test(name) && !name.includes('..');
}

/**
 * Checks that `name` is a valid model name. `param`, the request field of the name, goes into
 * the error.
 *
 * @throws MaasError `MAAS_ERR_MODEL_NAME_INVALID` naming the pattern.
 */
export function assertModelName(name: string, param?: string): void {
  if (!isValidModelName(name)) {
    throw new MaasError(
      'MAAS_ERR_MODEL_NAME_INVALID',
      `invalid model name ${JSON.stringify(name)}: use 1 to 128 letters, digits, ".", "_" or ` +
        '"-", starting with a letter or digit and without ".."',
      { details: { name }, ...(param === undefined ? {} : { param }) },
    );
  }
}

/**
 * Checks that `alias` is a valid alias. `param`, the request field of the alias, goes into the
 * error.
 *
 * @throws MaasError `MAAS_ERR_MODEL_NAME_INVALID` naming the pattern.
 */
export function assertAlias(alias: string, param?: string): void {
  if (!ALIAS_PATTERN.test(alias)) {
    throw new MaasError(
      'MAAS_ERR_MODEL_NAME_INVALID',
      `invalid alias ${JSON.stringify(alias)}: use 1 to 64 letters, digits, ".", "_" or "-", ` +
        'starting with a letter',
      { details: { alias }, ...(param === undefined ? {} : { param }) },
    );
  }
}

/**
 * Parses `name`, `name@<version>` or `name@<alias>`.
 *
 * @throws MaasError `MAAS_ERR_MODEL_REFERENCE_INVALID` whose message shows the three valid forms.
 */
export function parseModelReference(text: string): ModelReference {
  const parts = text.split('@');
  const name = parts[0] ?? '';
  if (parts.length > 2) {
    throw invalidReference(text, 'it contains more than one "@"');
  }
  if (!isValidModelName(name)) {
    throw invalidReference(text, `the model name ${JSON.stringify(name)} is invalid`);
  }
  const selector = parts[1];
  if (selector === undefined) {
    return { name };
  }
  if (/^[1-9][0-9]*$/.test(selector) && Number.isSafeInteger(Number(selector))) {
    return { name, version: Number(selector) };
  }
  if (ALIAS_PATTERN.test(selector)) {
    return { name, alias: selector };
  }
  const reason =
    selector === ''
      ? 'nothing follows "@"'
      : `${JSON.stringify(selector)} is neither a version number nor an alias`;
  throw invalidReference(text, reason);
}

function invalidReference(text: string, reason: string): MaasError {
  return new MaasError(
    'MAAS_ERR_MODEL_REFERENCE_INVALID',
    `invalid model reference ${JSON.stringify(text)}: ${reason}; ${VALID_FORMS}`,
    { details: { reference: text } },
  );
}

/** Formats a reference as `name`, `name@3` or `name@staging`, the inverse of parsing. */
export function formatModelReference(reference: ModelReference): string {
  if (reference.version !== undefined) {
    return `${reference.name}@${reference.version}`;
  }
  if (reference.alias !== undefined) {
    return `${reference.name}@${reference.alias}`;
  }
  return reference.name;
}
