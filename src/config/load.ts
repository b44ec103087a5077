import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MaasError } from '../errors/index.js';
import {
  SETTINGS,
  environmentVariableOf,
  type SettingDefinition,
  type SettingName,
  type Settings,
} from './settings.js';

export const CONFIG_FILE_NAME = 'maas.config.json';

export type SettingSource = 'default' | 'file' | 'environment' | 'flag';

export interface LoadedConfig {
  readonly settings: Settings;
  /** Origin of each effective value, for `maas config`. */
  readonly sources: Readonly<Record<SettingName, SettingSource>>;
  readonly file: string | undefined;
}

export interface LoadConfigOptions {
  /** Values from command-line flags, keyed by dotted setting name. */
  flags?: Partial<Record<SettingName, unknown>>;
  env?: NodeJS.ProcessEnv;
  /** Configuration file; default `maas.config.json` in `cwd` when it exists. */
  file?: string;
  cwd?: string;
}

/**
 * Resolves every setting from, in rising precedence, its default, the configuration file,
 * its environment variable and a command-line flag. The result is frozen.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? defaultConfigFile(cwd);
  const fileValues = file === undefined ? {} : readConfigFile(file);
  const values: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};

  for (const definition of SETTINGS as readonly SettingDefinition[]) {
    const { name } = definition;
    const variable = environmentVariableOf(name);
    const flag = options.flags?.[name as SettingName];
    let value: unknown = definition.default;
    let source: SettingSource = 'default';
    if (name in fileValues) {
      value = parseSetting(definition, fileValues[name], `${file}: ${name}`);
      source = 'file';
    }
    if (env[variable] !== undefined && env[variable] !== '') {
      value = parseSetting(definition, env[variable], variable);
      source = 'environment';
    }
    if (flag !== undefined) {
      value = parseSetting(definition, flag, `--${name.replace(/[._]/g, '-')}`);
      source = 'flag';
    }
    values[name] = value;
    sources[name] = source;
  }

  return Object.freeze({
    settings: Object.freeze(values) as Settings,
    sources: Object.freeze(sources) as Record<SettingName, SettingSource>,
    file,
  });
}

function defaultConfigFile(cwd: string): string | undefined {
  const candidate = resolve(cwd, CONFIG_FILE_NAME);
  return existsSync(candidate) ? candidate : undefined;
}

/** Reads a JSON configuration file; nested objects are flattened to dotted names. */
function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_CONFIG_INVALID',
      `cannot read configuration file ${file}: ${(error as Error).message}`,
      { param: file, cause: error },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MaasError(
      'MAAS_ERR_CONFIG_INVALID',
      `configuration file ${file} must contain a JSON object`,
      { param: file },
    );
  }
  const flat: Record<string, unknown> = {};
  flatten(parsed as Record<string, unknown>, '', flat);
  const known = new Set<string>(SETTINGS.map((setting) => setting.name));
  for (const name of Object.keys(flat)) {
    if (!known.has(name)) {
      throw new MaasError(
        'MAAS_ERR_CONFIG_INVALID',
        `unknown setting "${name}" in ${file}; run \`maas config\` to list the settings`,
        { param: name },
      );
    }
  }
  return flat;
}

function flatten(
  value: Record<string, unknown>,
  prefix: string,
  into: Record<string, unknown>,
): void {
  for (const [key, child] of Object.entries(value)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      flatten(child as Record<string, unknown>, name, into);
    } else {
      into[name] = child;
    }
  }
}

/** Converts a raw value (string from the environment or a flag, JSON from the file). */
export function parseSetting(
  definition: SettingDefinition,
  raw: unknown,
  origin: string,
): string | number | boolean {
  const fail = (expected: string): never => {
    throw new MaasError(
      'MAAS_ERR_CONFIG_INVALID',
      `invalid value ${JSON.stringify(raw)} for ${definition.name} (from ${origin}): expected ${expected}`,
      { param: definition.name },
    );
  };
  if (definition.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    return fail('true or false');
  }
  if (definition.type === 'integer') {
    const number =
      typeof raw === 'number'
        ? raw
        : /^-?\d+$/.test(String(raw).trim())
          ? Number(String(raw).trim())
          : Number.NaN;
    const range = `an integer from ${definition.min ?? '-∞'} to ${definition.max ?? '∞'}`;
    if (!Number.isSafeInteger(number)) return fail(range);
    if (definition.min !== undefined && number < definition.min) return fail(range);
    if (definition.max !== undefined && number > definition.max) return fail(range);
    return number;
  }
  if (typeof raw !== 'string') return fail('a string');
  if (definition.choices !== undefined && !definition.choices.includes(raw)) {
    return fail(`one of ${definition.choices.join(', ')}`);
  }
  return raw;
}
