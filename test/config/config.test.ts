import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CONFIG_FILE_NAME,
  SETTINGS,
  environmentVariableOf,
  loadConfig,
  parseSetting,
  type SettingDefinition,
} from '../../src/config/index.js';
import { catchMaasError } from '../training/datasets/helpers.js';

let folder: string;
let emptyDir: string;
let fileCount = 0;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'maas-config-'));
  emptyDir = await mkdtemp(join(folder, 'empty-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Writes `content` (serialized unless a string) to a new file and returns its path. */
async function configFile(content: unknown): Promise<string> {
  fileCount += 1;
  const path = join(folder, `config-${fileCount}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig defaults', () => {
  const config = (): ReturnType<typeof loadConfig> => loadConfig({ env: {}, cwd: emptyDir });

  it('uses every default', () => {
    const defaults = Object.fromEntries(SETTINGS.map((setting) => [setting.name, setting.default]));
    expect(config().settings).toEqual(defaults);
  });

  it('marks every source as default', () => {
    expect(new Set(Object.values(config().sources))).toEqual(new Set(['default']));
  });

  it('reads no file when cwd has none', () => {
    expect(config().file).toBeUndefined();
  });

  it('listens on loopback port 8080', () => {
    expect(config().settings.host).toBe('127.0.0.1');
    expect(config().settings.port).toBe(8080);
  });

  it('parses every default', () => {
    for (const definition of SETTINGS as readonly SettingDefinition[]) {
      expect(parseSetting(definition, definition.default, 'default'), definition.name).toBe(
        definition.default,
      );
    }
  });
});

describe('loadConfig precedence', () => {
  it('lets the environment override a default', () => {
    const config = loadConfig({ env: { MAAS_PORT: '9090' }, cwd: emptyDir });
    expect(config.settings.port).toBe(9090);
    expect(config.sources.port).toBe('environment');
  });

  it('ignores an empty environment variable', () => {
    const config = loadConfig({ env: { MAAS_PORT: '' }, cwd: emptyDir });
    expect(config.settings.port).toBe(8080);
    expect(config.sources.port).toBe('default');
  });

  it('lets a flag override the environment', () => {
    const config = loadConfig({
      flags: { port: '7070' },
      env: { MAAS_PORT: '9090' },
      cwd: emptyDir,
    });
    expect(config.settings.port).toBe(7070);
    expect(config.sources.port).toBe('flag');
  });

  it('ignores an undefined flag', () => {
    const env = { MAAS_PORT: '9090' };
    const config = loadConfig({ flags: { port: undefined }, env, cwd: emptyDir });
    expect(config.settings.port).toBe(9090);
  });

  it('flattens a nested file', async () => {
    const file = await configFile({ server: { body_limit: 2048 }, log: { level: 'debug' } });
    const config = loadConfig({ file, env: {} });
    expect(config.settings['server.body_limit']).toBe(2048);
    expect(config.settings['log.level']).toBe('debug');
    expect(config.sources['server.body_limit']).toBe('file');
    expect(config.file).toBe(file);
  });

  it('ranks the file between default and environment', async () => {
    const file = await configFile({ port: 1234, log: { level: 'debug' } });
    const config = loadConfig({ file, env: { MAAS_LOG_LEVEL: 'warn' } });
    expect(config.settings.port).toBe(1234);
    expect(config.settings['log.level']).toBe('warn');
    expect(config.sources['log.level']).toBe('environment');
    expect(config.settings.host).toBe('127.0.0.1');
    expect(config.sources.host).toBe('default');
  });

  it('finds maas.config.json in cwd', async () => {
    const dir = await mkdtemp(join(folder, 'cwd-'));
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ data_dir: '/srv/maas' }));
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.file).toBe(join(dir, CONFIG_FILE_NAME));
    expect(config.settings.data_dir).toBe('/srv/maas');
  });

  it('parses booleans from the environment', () => {
    const config = loadConfig({ env: { MAAS_SERVING_REGISTER_BUNDLED: 'off' }, cwd: emptyDir });
    expect(config.settings['serving.register_bundled']).toBe(false);
  });
});

describe('loadConfig invalid values', () => {
  it('rejects port "abc" from the environment', () => {
    const error = catchMaasError(() => loadConfig({ env: { MAAS_PORT: 'abc' }, cwd: emptyDir }));
    expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect(error.param).toBe('port');
    expect(error.message).toBe(
      'invalid value "abc" for port (from MAAS_PORT): expected an integer from 0 to 65535',
    );
  });

  it('rejects port 70000 from a flag', () => {
    const error = catchMaasError(() =>
      loadConfig({ flags: { port: 70000 }, env: {}, cwd: emptyDir }),
    );
    expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect(error.param).toBe('port');
    expect(error.message).toContain('70000');
    expect(error.message).toContain('(from --port)');
  });

  it('rejects a fractional port', () => {
    const error = catchMaasError(() => loadConfig({ env: { MAAS_PORT: '80.5' }, cwd: emptyDir }));
    expect(error.param).toBe('port');
  });

  it('rejects log level "loud" from the file', async () => {
    const file = await configFile({ log: { level: 'loud' } });
    const error = catchMaasError(() => loadConfig({ file, env: {} }));
    expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect(error.param).toBe('log.level');
    expect(error.message).toContain('"loud"');
    expect(error.message).toContain(`(from ${file}: log.level)`);
    expect(error.message).toContain('one of fatal, error, warn, info, debug, trace, silent');
  });

  it('rejects boolean "maybe" from the environment', () => {
    const env = { MAAS_SERVING_REGISTER_BUNDLED: 'maybe' };
    const error = catchMaasError(() => loadConfig({ env, cwd: emptyDir }));
    expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect(error.param).toBe('serving.register_bundled');
    expect(error.message).toContain('(from MAAS_SERVING_REGISTER_BUNDLED)');
    expect(error.message).toContain('expected true or false');
  });

  it('rejects a number for a string setting', async () => {
    const file = await configFile({ host: 80 });
    const error = catchMaasError(() => loadConfig({ file, env: {} }));
    expect(error.param).toBe('host');
    expect(error.message).toContain('expected a string');
  });

  it('rejects an unknown key in the file', async () => {
    const file = await configFile({ server: { bodylimit: 1 } });
    const error = catchMaasError(() => loadConfig({ file, env: {} }));
    expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect(error.param).toBe('server.bodylimit');
    expect(error.message).toContain('unknown setting "server.bodylimit"');
  });

  it('rejects a file that is not JSON', async () => {
    const file = await configFile('{"port": 80');
    const error = catchMaasError(() => loadConfig({ file, env: {} }));
    expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect(error.message).toContain(`cannot read configuration file ${file}`);
  });

  it('rejects a file that is an array', async () => {
    const file = await configFile([{ port: 80 }]);
    const error = catchMaasError(() => loadConfig({ file, env: {} }));
    expect(error.message).toBe(`configuration file ${file} must contain a JSON object`);
  });

  it('rejects a missing file given by name', () => {
    const file = join(folder, 'missing.json');
    const error = catchMaasError(() => loadConfig({ file, env: {} }));
    expect(error.code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect(error.param).toBe(file);
  });
});

describe('environmentVariableOf', () => {
  const cases: [string, string][] = [
    ['server.body_limit', 'MAAS_SERVER_BODY_LIMIT'],
    ['scheduler.max_batch_size', 'MAAS_SCHEDULER_MAX_BATCH_SIZE'],
    ['auth.required', 'MAAS_AUTH_REQUIRED'],
    ['port', 'MAAS_PORT'],
    ['data_dir', 'MAAS_DATA_DIR'],
  ];

  for (const [name, variable] of cases) {
    it(`maps ${name}`, () => {
      expect(environmentVariableOf(name)).toBe(variable);
    });
  }
});

describe('loadConfig result', () => {
  it('is frozen', () => {
    const config = loadConfig({ env: {}, cwd: emptyDir });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.settings)).toBe(true);
    expect(Object.isFrozen(config.sources)).toBe(true);
  });

  it('throws on assignment', () => {
    const config = loadConfig({ env: {}, cwd: emptyDir });
    expect(() => {
      (config.settings as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});
