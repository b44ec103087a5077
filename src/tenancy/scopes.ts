import { MaasError } from '../errors/index.js';

/**
 * Scopes an API key can hold: `infer` runs models, `train` manages datasets and training
 * jobs, and `admin` manages keys, models and loading and reads every key's usage. `admin`
 * does not imply the others.
 */
export const SCOPES = ['infer', 'train', 'admin'] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/**
 * Parses a comma-separated scope list such as `infer,train`, dropping duplicates.
 *
 * @throws MaasError `MAAS_ERR_REQUEST_INVALID` for an empty list or an unknown scope.
 */
export function parseScopes(text: string, param = 'scopes'): Scope[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return checkScopes(names, param);
}

/** Checks a list of scope names and returns it without duplicates, in {@link SCOPES} order. */
export function checkScopes(names: readonly unknown[], param = 'scopes'): Scope[] {
  if (names.length === 0) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `${param} must name at least one of ${SCOPES.join(', ')}`,
      { param },
    );
  }
  const unknown = names.find((name) => !isScope(name));
  if (unknown !== undefined) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `${param} has the unknown scope ${JSON.stringify(unknown)}; valid scopes are ${SCOPES.join(', ')}`,
      { param },
    );
  }
  return SCOPES.filter((scope) => names.includes(scope));
}
