import { MaasError } from '../errors/index.js';

const MAX_LISTED_NAMES = 20;

/** Builds the error for a model name that the registry does not contain. */
export function modelNotFound(name: string, existingNames: readonly string[]): MaasError {
  const existing =
    existingNames.length === 0
      ? 'the registry has no models yet'
      : `the registry has ${plural(existingNames.length, 'model')} ${formatNames(existingNames)}`;
  return new MaasError('MAAS_ERR_MODEL_NOT_FOUND', `model ${name} not found; ${existing}`, {
    details: { name },
  });
}

/** Builds the error for a version number that the model does not have. */
export function versionNotFound(
  name: string,
  version: number | undefined,
  existingVersions: readonly number[],
): MaasError {
  const existing =
    existingVersions.length === 0
      ? `model ${name} has no versions`
      : `model ${name} has ${plural(existingVersions.length, 'version')} ` +
        formatVersionNumbers(existingVersions);
  const missing = version === undefined ? 'create a version first' : `version ${version} not found`;
  return new MaasError('MAAS_ERR_VERSION_NOT_FOUND', `${existing}; ${missing}`, {
    details: { name, version },
  });
}

/** Builds the error for an alias that the model does not have. */
export function aliasNotFound(
  name: string,
  alias: string,
  existingAliases: readonly string[],
): MaasError {
  const existing =
    existingAliases.length === 0
      ? `model ${name} has no aliases`
      : `model ${name} has ${plural(existingAliases.length, 'alias')} ${formatNames(existingAliases)}`;
  return new MaasError(
    'MAAS_ERR_ALIAS_NOT_FOUND',
    `${existing}; alias ${alias} not found, so set it first or use a version number`,
    { details: { name, alias } },
  );
}

/** Builds the error for a new version whose task differs from its model's task. */
export function taskMismatch(name: string, modelTask: string, versionTask: string): MaasError {
  return new MaasError(
    'MAAS_ERR_MODEL_TASK_MISMATCH',
    `model ${name} has task ${modelTask}, but the new version has task ${versionTask}; ` +
      `register the version with task ${modelTask} or under a new model name`,
    { details: { name, task: modelTask } },
  );
}

/** Builds the error for a new model name that differs from an existing one only in case. */
export function nameCaseCollision(name: string, existingName: string): MaasError {
  return new MaasError(
    'MAAS_ERR_MODEL_NAME_INVALID',
    `model name ${name} differs from the existing model ${existingName} only in letter case; ` +
      'names must differ in more than case because they name folders, and some file systems ' +
      'ignore case',
    { details: { name, existingName } },
  );
}

function plural(count: number, noun: string): string {
  if (count === 1) {
    return noun;
  }
  return noun.endsWith('s') ? `${noun}es` : `${noun}s`;
}

function formatNames(names: readonly string[]): string {
  if (names.length <= MAX_LISTED_NAMES) {
    return names.join(', ');
  }
  const rest = names.length - MAX_LISTED_NAMES;
  return `${names.slice(0, MAX_LISTED_NAMES).join(', ')} and ${rest} more`;
}

/** Formats ascending version numbers, shortening runs of three or more to `first-last`. */
export function formatVersionNumbers(versions: readonly number[]): string {
  const parts: string[] = [];
  let start = 0;
  while (start < versions.length) {
    let end = start;
    while (end + 1 < versions.length && versions[end + 1] === (versions[end] as number) + 1) {
      end++;
    }
    if (end - start >= 2) {
      parts.push(`${versions[start]}-${versions[end]}`);
    } else {
      parts.push(...versions.slice(start, end + 1).map(String));
    }
    start = end + 1;
  }
  return parts.join(', ');
}
