import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir, silentLogger } from '../helpers/sentiment-fixture.js';

let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await makeTempDir('cli-keys');
  env = {
    MAAS_DATA_DIR: await mkdtemp(join(root, 'data-')),
    MAAS_MODELS_DIR: await mkdtemp(join(root, 'models-')),
  };
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

/** Each CLI run starts tsx, which takes seconds on a busy machine. */
const CLI_TEST_TIMEOUT_MS = 150_000;

describe('maas keys and usage', () => {
  it('creates, lists and revokes a key', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const created = await runCli(
      [
        'keys',
        'create',
        '--name',
        'ci',
        '--scopes',
        'infer,train',
        '--rpm',
        '60',
        '--models',
        'a,b',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^maas_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown only now');
    const id = `key_${secret.slice(5, 17)}`;

    const listed = await runCli(['keys', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(secret);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id, scopes: ['infer', 'train'], models: ['a', 'b'], rpm: 60 }),
    ]);

    const revoked = await runCli(['keys', 'revoke', id], env);
    expect(revoked.code).toBe(0);
    const audit = await runCli(['audit', '--json'], env);
    const actions = JSON.parse(audit.stdout).map((entry: { action: string }) => entry.action);
    expect(actions).toEqual(['keys.revoke', 'keys.create']);

    const invalid = await runCli(['keys', 'create', '--name', 'x', '--scopes', 'root'], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('unknown scope "root"');
  });

  it('prints usage as CSV', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { settings } = loadConfig({
      env: {},
      flags: { data_dir: env['MAAS_DATA_DIR'], models_dir: env['MAAS_MODELS_DIR'] },
    });
    const context = await openContext(settings, silentLogger());
    context.tenancy.usage.record({ keyId: 'key_a', model: 'm,1', requests: 2, inputTokens: 7 });
    await context.close();

    const result = await runCli(['usage', '--csv'], env);
    expect(result.code).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(result.stdout.trim().split('\n')).toEqual([
      'day,key,model,requests,input_tokens,output_tokens,compute_ms,errors',
      `${today},key_a,"m,1",2,7,0,0,0`,
    ]);
  });
});
