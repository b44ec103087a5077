import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { MODEL_CARD_FILE } from '../../src/registry/index.js';
import { openTestRegistry, removeTempDir, versionInput, type TestRegistry } from './helpers.js';

let env: TestRegistry;

beforeEach(async () => {
  env = await openTestRegistry();
});

afterEach(async () => {
  await env.close();
  await removeTempDir(env.dataDir);
});

async function captureError(promise: Promise<unknown>): Promise<MaasError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MaasError);
    return error as MaasError;
  }
  throw new Error('expected the promise to reject');
}

describe('Registry.createVersion', () => {
  it('numbers versions 1, 2, 3', async () => {
    const versions: number[] = [];
    for (const content of ['a', 'b', 'c']) {
      versions.push(
        (await env.registry.createVersion(versionInput('sentiment-zh', content))).version,
      );
    }

    expect(versions).toEqual([1, 2, 3]);
  });

  it('numbers each model separately', async () => {
    await env.registry.createVersion(versionInput('first'));
    const other = await env.registry.createVersion(versionInput('second'));

    expect(other.version).toBe(1);
  });

  it('gives concurrent calls consecutive numbers', async () => {
    const records = await Promise.all(
      [1, 2, 3, 4, 5].map((index) =>
        env.registry.createVersion(versionInput('sentiment-zh', `weights ${index}`)),
      ),
    );

    const numbers = records.map((record) => record.version).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
    const folders = await readdir(join(env.artifactRoot, 'models', 'sentiment-zh'));
    expect(folders.sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('returns the stored record', async () => {
    const record = await env.registry.createVersion({
      ...versionInput('sentiment-zh'),
      description: 'Chinese sentiment',
      alias: 'staging',
    });

    expect(record.name).toBe('sentiment-zh');
    expect(record.version).toBe(1);
    expect(record.task).toBe('text-classification');
    expect(record.runtime).toBe('onnx');
    expect(record.dir).toBe(join(env.artifactRoot, 'models', 'sentiment-zh', '1'));
    expect(record.aliases).toEqual(['staging']);
    expect(record.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(record.sizeBytes).toBe('weights'.length);
    expect(new Date(record.createdAt).toISOString()).toBe(record.createdAt);
  });

  it('writes model-card.json with registry fields', async () => {
    const record = await env.registry.createVersion({
      ...versionInput('sentiment-zh'),
      modelCard: { labels: ['neg', 'pos'], version: 99, name: 'spoofed' },
    });

    const card = JSON.parse(await readFile(join(record.dir, MODEL_CARD_FILE), 'utf8'));
    expect(card).toEqual({
      labels: ['neg', 'pos'],
      name: 'sentiment-zh',
      version: 1,
      task: 'text-classification',
      runtime: 'onnx',
      created_at: record.createdAt,
    });
    expect(record.modelCard).toEqual(card);
  });

  it('rejects a task mismatch before writing', async () => {
    await env.registry.createVersion(versionInput('sentiment-zh'));
    let writeFilesCalled = false;

    const error = await captureError(
      env.registry.createVersion({
        ...versionInput('sentiment-zh'),
        task: 'token-classification',
        writeFiles: async () => {
          writeFilesCalled = true;
        },
      }),
    );

    expect(error.code).toBe('MAAS_ERR_MODEL_TASK_MISMATCH');
    expect(error.message).toContain('text-classification');
    expect(error.message).toContain('token-classification');
    expect(writeFilesCalled).toBe(false);
    expect((await env.registry.getModel('sentiment-zh')).versions).toHaveLength(1);
  });

  it('rejects a name differing only in case', async () => {
    await env.registry.createVersion(versionInput('Sentiment'));

    const error = await captureError(env.registry.createVersion(versionInput('sentiment')));

    expect(error.code).toBe('MAAS_ERR_MODEL_NAME_INVALID');
    expect(error.message).toContain('Sentiment');
  });

  it('rejects invalid names and aliases', async () => {
    const badName = await captureError(env.registry.createVersion(versionInput('../escape')));
    const badAlias = await captureError(
      env.registry.createVersion({ ...versionInput('m'), alias: '1st' }),
    );

    expect(badName.code).toBe('MAAS_ERR_MODEL_NAME_INVALID');
    expect(badAlias.code).toBe('MAAS_ERR_MODEL_NAME_INVALID');
    expect(await env.registry.listModels()).toEqual([]);
  });

  it('rejects writeFiles that writes the model card', async () => {
    const error = await captureError(
      env.registry.createVersion({
        ...versionInput('m'),
        writeFiles: (dir) => writeFile(join(dir, MODEL_CARD_FILE), '{}'),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect(error.message).toContain(MODEL_CARD_FILE);
  });

  it('rejects writeFiles that writes nothing', async () => {
    const error = await captureError(
      env.registry.createVersion({ ...versionInput('m'), writeFiles: async () => {} }),
    );

    expect(error.code).toBe('MAAS_ERR_ARTIFACT_INVALID');
  });
});

describe('Registry.resolve', () => {
  beforeEach(async () => {
    for (const content of ['v1', 'v2', 'v3']) {
      await env.registry.createVersion(versionInput('sentiment-zh', content));
    }
  });

  it('resolves a version number', async () => {
    const resolved = await env.registry.resolve('sentiment-zh@2');

    expect(resolved.version).toBe(2);
    expect(await readFile(join(resolved.dir, 'model.onnx'), 'utf8')).toBe('v2');
  });

  it('bare name picks newest without production', async () => {
    expect((await env.registry.resolve('sentiment-zh')).version).toBe(3);
  });

  it('bare name prefers production over newest', async () => {
    await env.registry.setAlias('sentiment-zh', 'production', 1);

    const resolved = await env.registry.resolve('sentiment-zh');

    expect(resolved.version).toBe(1);
    expect(resolved.aliases).toEqual(['production']);
  });

  it('resolves an alias', async () => {
    await env.registry.setAlias('sentiment-zh', 'staging', 2);

    expect((await env.registry.resolve('sentiment-zh@staging')).version).toBe(2);
  });

  it('resolves a parsed reference', async () => {
    expect((await env.registry.resolve({ name: 'sentiment-zh', version: 1 })).version).toBe(1);
  });

  it('follows a moved alias', async () => {
    await env.registry.setAlias('sentiment-zh', 'staging', 1);
    await env.registry.setAlias('sentiment-zh', 'staging', 3);

    expect((await env.registry.resolve('sentiment-zh@staging')).version).toBe(3);
  });

  it('reports an unknown model with the existing names', async () => {
    const error = await captureError(env.registry.resolve('sentiment-en'));

    expect(error.code).toBe('MAAS_ERR_MODEL_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.message).toBe('model sentiment-en not found; the registry has model sentiment-zh');
  });

  it('reports an unknown version with the existing ones', async () => {
    const error = await captureError(env.registry.resolve('sentiment-zh@5'));

    expect(error.code).toBe('MAAS_ERR_VERSION_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.message).toBe('model sentiment-zh has versions 1-3; version 5 not found');
  });

  it('reports an unknown alias with the existing ones', async () => {
    await env.registry.setAlias('sentiment-zh', 'staging', 2);

    const error = await captureError(env.registry.resolve('sentiment-zh@canary'));

    expect(error.code).toBe('MAAS_ERR_ALIAS_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.message).toContain('model sentiment-zh has alias staging; alias canary not found');
  });

  it('reports an invalid reference', async () => {
    const error = await captureError(env.registry.resolve('sentiment-zh@0'));

    expect(error.code).toBe('MAAS_ERR_MODEL_REFERENCE_INVALID');
  });
});

describe('Registry models and aliases', () => {
  it('lists versions as "1, 2" below three', async () => {
    await env.registry.createVersion(versionInput('m', 'a'));
    await env.registry.createVersion(versionInput('m', 'b'));

    const error = await captureError(env.registry.resolve('m@5'));

    expect(error.message).toBe('model m has versions 1, 2; version 5 not found');
  });

  it('reports an empty registry', async () => {
    const error = await captureError(env.registry.getModel('m'));

    expect(error.code).toBe('MAAS_ERR_MODEL_NOT_FOUND');
    expect(error.message).toBe('model m not found; the registry has no models yet');
  });

  it('getModel returns versions and aliases', async () => {
    await env.registry.createVersion({ ...versionInput('m', 'a'), description: 'first' });
    await env.registry.createVersion({ ...versionInput('m', 'b'), alias: 'staging' });
    await env.registry.setAlias('m', 'production', 1);

    const model = await env.registry.getModel('m');

    expect(model.name).toBe('m');
    expect(model.task).toBe('text-classification');
    expect(model.description).toBe('first');
    expect(model.aliases).toEqual({ production: 1, staging: 2 });
    expect(model.versions.map((version) => version.version)).toEqual([1, 2]);
    expect(model.versions.map((version) => version.aliases)).toEqual([['production'], ['staging']]);
    expect(model.versions[1]?.modelCard.version).toBe(2);
    expect(model.versions[0]?.sizeBytes).toBe(1);
  });

  it('listModels summarizes each model', async () => {
    await env.registry.createVersion(versionInput('b-model', 'a'));
    await env.registry.createVersion({ ...versionInput('b-model', 'b'), alias: 'production' });
    await env.registry.createVersion(versionInput('a-model'));

    const models = await env.registry.listModels();

    expect(models.map((model) => model.name)).toEqual(['a-model', 'b-model']);
    expect(models[1]).toMatchObject({
      latestVersion: 2,
      versionCount: 2,
      aliases: { production: 2 },
    });
    expect(models[0]?.aliases).toEqual({});
  });

  it('setAlias rejects an unknown version', async () => {
    await env.registry.createVersion(versionInput('m'));

    const error = await captureError(env.registry.setAlias('m', 'staging', 4));

    expect(error.code).toBe('MAAS_ERR_VERSION_NOT_FOUND');
    expect(error.message).toBe('model m has version 1; version 4 not found');
  });

  it('setAlias rejects an unknown model', async () => {
    const error = await captureError(env.registry.setAlias('missing', 'staging', 1));

    expect(error.code).toBe('MAAS_ERR_MODEL_NOT_FOUND');
  });

  it('deleteAlias falls back to the newest version', async () => {
    await env.registry.createVersion({ ...versionInput('m', 'a'), alias: 'production' });
    await env.registry.createVersion(versionInput('m', 'b'));

    await env.registry.deleteAlias('m', 'production');

    expect((await env.registry.resolve('m')).version).toBe(2);
    expect((await env.registry.getModel('m')).aliases).toEqual({});
  });

  it('deleteAlias rejects an unknown alias', async () => {
    await env.registry.createVersion(versionInput('m'));

    const error = await captureError(env.registry.deleteAlias('m', 'staging'));

    expect(error.code).toBe('MAAS_ERR_ALIAS_NOT_FOUND');
    expect(error.message).toContain('model m has no aliases');
  });

  it('findVersionByDigest finds equal files', async () => {
    const created = await env.registry.createVersion(versionInput('m', 'same'));

    const found = await env.registry.findVersionByDigest('m', created.digest);
    const missing = await env.registry.findVersionByDigest('m', '0'.repeat(64));

    expect(found?.version).toBe(1);
    expect(missing).toBeUndefined();
  });
});
