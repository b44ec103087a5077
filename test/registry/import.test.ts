import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { MODEL_CARD_FILE } from '../../src/registry/index.js';
import {
  makeTempDir,
  openTestRegistry,
  removeTempDir,
  versionInput,
  type TestRegistry,
} from './helpers.js';

let env: TestRegistry;
let bundleDir: string;

beforeEach(async () => {
  env = await openTestRegistry();
  bundleDir = await makeTempDir('bundle');
});

afterEach(async () => {
  await env.close();
  await removeTempDir(env.dataDir);
  await removeTempDir(bundleDir);
});

/** Writes a packaged model folder with a card and two files, one of them nested. */
async function writeBundle(
  dir: string,
  card: Record<string, unknown>,
  weights = 'weights',
): Promise<string> {
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(join(dir, MODEL_CARD_FILE), JSON.stringify(card));
  await writeFile(join(dir, 'onnx', 'model.onnx'), weights);
  await writeFile(join(dir, 'tokenizer.json'), '{"model":{"type":"WordPiece"}}');
  return dir;
}

const CARD = {
  name: 'sentiment-zh',
  task: 'text-classification',
  runtime: 'onnx',
  description: 'Chinese sentiment',
  labels: ['negative', 'positive'],
};

describe('Registry.importVersionFromFolder', () => {
  it('imports the files and sets production', async () => {
    const folder = await writeBundle(bundleDir, CARD);

    const imported = await env.registry.importVersionFromFolder(folder);

    expect(imported.created).toBe(true);
    expect(imported.version).toBe(1);
    expect(imported.aliases).toEqual(['production']);
    expect(await readFile(join(imported.dir, 'onnx', 'model.onnx'), 'utf8')).toBe('weights');
    expect(imported.modelCard.labels).toEqual(['negative', 'positive']);
    expect(imported.modelCard.version).toBe(1);
    expect((await env.registry.getModel('sentiment-zh')).description).toBe('Chinese sentiment');
  });

  it('is idempotent for the same files', async () => {
    const folder = await writeBundle(bundleDir, CARD);

    const first = await env.registry.importVersionFromFolder(folder);
    const second = await env.registry.importVersionFromFolder(folder);

    expect(second.created).toBe(false);
    expect(second.version).toBe(first.version);
    expect(second.digest).toBe(first.digest);
    const model = await env.registry.getModel('sentiment-zh');
    expect(model.versions).toHaveLength(1);
    expect(model.aliases).toEqual({ production: 1 });
  });

  it('creates one version for concurrent imports', async () => {
    const folder = await writeBundle(bundleDir, CARD);

    const results = await Promise.all(
      [1, 2, 3].map(() => env.registry.importVersionFromFolder(folder)),
    );

    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.version))).toEqual(new Set([1]));
    expect((await env.registry.getModel('sentiment-zh')).versions).toHaveLength(1);
  });

  it('ignores model card changes when comparing', async () => {
    const folder = await writeBundle(bundleDir, CARD);
    await env.registry.importVersionFromFolder(folder);
    await writeFile(join(folder, MODEL_CARD_FILE), JSON.stringify({ ...CARD, metrics: {} }));

    const again = await env.registry.importVersionFromFolder(folder);

    expect(again.created).toBe(false);
  });

  it('sets production only once', async () => {
    const first = await env.registry.importVersionFromFolder(await writeBundle(bundleDir, CARD));
    const changedDir = await makeTempDir('bundle-changed');
    try {
      const changed = await env.registry.importVersionFromFolder(
        await writeBundle(changedDir, CARD, 'retrained weights'),
      );

      expect(changed.created).toBe(true);
      expect(changed.version).toBe(2);
      expect(changed.aliases).toEqual([]);
      expect((await env.registry.resolve('sentiment-zh')).version).toBe(first.version);
    } finally {
      await removeTempDir(changedDir);
    }
  });

  it('keeps a production alias set before the import', async () => {
    await env.registry.createVersion({ ...versionInput('sentiment-zh'), alias: 'production' });

    const imported = await env.registry.importVersionFromFolder(await writeBundle(bundleDir, CARD));

    expect(imported.version).toBe(2);
    expect((await env.registry.getModel('sentiment-zh')).aliases).toEqual({ production: 1 });
  });

  it('uses the name and alias options', async () => {
    const folder = await writeBundle(bundleDir, CARD);

    const imported = await env.registry.importVersionFromFolder(folder, {
      name: 'renamed',
      alias: 'staging',
    });

    expect(imported.name).toBe('renamed');
    expect(imported.modelCard.name).toBe('renamed');
    expect((await env.registry.getModel('renamed')).aliases).toEqual({ staging: 1 });
  });

  it('rejects a task mismatch', async () => {
    await env.registry.createVersion({ ...versionInput('sentiment-zh'), task: 'fill-mask' });

    const attempt = env.registry.importVersionFromFolder(await writeBundle(bundleDir, CARD));

    await expect(attempt).rejects.toMatchObject({ code: 'MAAS_ERR_MODEL_TASK_MISMATCH' });
  });

  const incompleteCards: [string, Record<string, unknown>][] = [
    ['name', { task: 'text-classification', runtime: 'onnx' }],
    ['task', { name: 'm', runtime: 'onnx' }],
    ['runtime', { name: 'm', task: 'text-classification' }],
  ];
  for (const [field, card] of incompleteCards) {
    it(`rejects a card without ${field}`, async () => {
      const attempt = env.registry.importVersionFromFolder(await writeBundle(bundleDir, card));

      await expect(attempt).rejects.toBeInstanceOf(MaasError);
      await expect(attempt).rejects.toMatchObject({ code: 'MAAS_ERR_ARTIFACT_INVALID' });
      await expect(attempt).rejects.toThrow(`"${field}"`);
    });
  }

  it('rejects a folder without a model card', async () => {
    await writeFile(join(bundleDir, 'model.onnx'), 'weights');

    const attempt = env.registry.importVersionFromFolder(bundleDir);

    await expect(attempt).rejects.toMatchObject({ code: 'MAAS_ERR_ARTIFACT_INVALID' });
    await expect(attempt).rejects.toThrow(MODEL_CARD_FILE);
  });

  it('rejects a model card that is not JSON', async () => {
    await writeFile(join(bundleDir, MODEL_CARD_FILE), '{ name: ');

    const attempt = env.registry.importVersionFromFolder(bundleDir);

    await expect(attempt).rejects.toMatchObject({ code: 'MAAS_ERR_ARTIFACT_INVALID' });
    await expect(attempt).rejects.toThrow('not valid JSON');
  });
});
