import { MaasError } from '../../errors/index.js';

/** The `parameters` object of a request, as the client sent it. */
export type RawParameters = Readonly<Record<string, unknown>>;

function invalid(name: string, message: string): MaasError {
  return new MaasError('MAAS_ERR_REQUEST_INVALID', `parameters.${name} ${message}`, {
    param: `parameters.${name}`,
  });
}

/** Rejects parameter names that `task` does not read, listing the ones it does. */
export function rejectUnknownParameters(
  task: string,
  parameters: RawParameters,
  known: readonly string[],
): void {
  for (const name of Object.keys(parameters)) {
    if (!known.includes(name)) {
      const choices = known.length === 0 ? 'none' : known.join(', ');
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `parameters.${name} is not a parameter of ${task}: send only ${choices}`,
        { param: `parameters.${name}` },
      );
    }
  }
}

/** Reads a positive integer; `null` is accepted only when `allowNull` is set. */
export function readTopK(
  parameters: RawParameters,
  name: string,
  fallback: number | null,
  allowNull: boolean,
): number | null {
  const value = parameters[name];
  if (value === undefined) return fallback;
  if (value === null && allowNull) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    const expected = allowNull
      ? 'an integer of at least 1, or null for all'
      : 'an integer of at least 1';
    throw invalid(name, `is invalid (${JSON.stringify(value)}): send ${expected}`);
  }
  return value;
}

export function readBoolean(parameters: RawParameters, name: string, fallback: boolean): boolean {
  const value = parameters[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw invalid(name, `is invalid (${JSON.stringify(value)}): send true or false`);
  }
  return value;
}

export function readChoice<const T extends string>(
  parameters: RawParameters,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = parameters[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalid(name, `is invalid (${JSON.stringify(value)}): send one of ${choices.join(', ')}`);
  }
  return value as T;
}

export function readString(parameters: RawParameters, name: string, fallback: string): string {
  const value = parameters[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    throw invalid(name, `is invalid (${JSON.stringify(value)}): send a string`);
  }
  return value;
}

/**
 * Reads a list of strings. A single string is split at commas when `splitString` is set, as
 * the Python zero-shot pipeline does with `candidate_labels`.
 */
export function readStringList(
  parameters: RawParameters,
  name: string,
  options: { fallback?: readonly string[]; splitString?: boolean; nonEmpty?: boolean },
): readonly string[] {
  const value = parameters[name];
  if (value === undefined) {
    if (options.fallback !== undefined) return options.fallback;
    throw invalid(name, 'is missing: send a non-empty array of strings');
  }

  let list: unknown[];
  if (typeof value === 'string' && options.splitString === true) {
    list = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  } else if (Array.isArray(value)) {
    list = value;
  } else {
    throw invalid(name, `is invalid (${JSON.stringify(value)}): send an array of strings`);
  }

  const index = list.findIndex((item) => typeof item !== 'string');
  if (index !== -1) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `parameters.${name}[${index}] is invalid (${JSON.stringify(list[index])}): send a string`,
      { param: `parameters.${name}[${index}]` },
    );
  }
  if (options.nonEmpty === true && list.length === 0) {
    throw invalid(name, 'is empty: send at least one string');
  }
  return list as string[];
}

/** Checks at run time that every input is a string, naming the first one that is not. */
export function assertStringInputs(inputs: readonly unknown[]): asserts inputs is string[] {
  const index = inputs.findIndex((input) => typeof input !== 'string');
  if (index !== -1) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `inputs[${index}] is invalid (${JSON.stringify(inputs[index])}): send a string`,
      { param: `inputs[${index}]` },
    );
  }
}
