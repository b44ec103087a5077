import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { FileArtifactStore, STAGING_DIR, digestDirectory } from '../../src/storage/index.js';
import { orphanStagingDir } from '../helpers/dead-process.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nlp-maas-artifacts-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectArtifactInvalid(action: () => unknown): Promise<MaasError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MaasError);
  expect((caught as MaasError).code).toBe('MAAS_ERR_ARTIFACT_INVALID');
  return caught as MaasError;
}

describe('FileArtifactStore staging', () => {
  it('stages into a fresh folder under .staging', async () => {
    const store = new FileArtifactStore(join(dir, 'root'));

    const first = await store.stage();
    const second = await store.stage();

    expect(first.dir.startsWith(join(dir, 'root', STAGING_DIR))).toBe(true);
    expect(second.dir).not.toBe(first.dir);
    expect(await readdir(first.dir)).toEqual([]);
  });

  it('commit renames into place and creates parents', async () => {
    const store = new FileArtifactStore(join(dir, 'root'));
    const staged = await store.stage();
    await mkdir(join(staged.dir, 'onnx'));
    await writeFile(join(staged.dir, 'onnx', 'model.onnx'), 'weights');

    await staged.commit('models/sentiment-zh/1');

    const target = join(dir, 'root', 'models', 'sentiment-zh', '1');
    expect(await readFile(join(target, 'onnx', 'model.onnx'), 'utf8')).toBe('weights');
    expect(await readdir(join(dir, 'root', STAGING_DIR))).toEqual([]);
  });

  it('commit rejects an existing target', async () => {
    const store = new FileArtifactStore(dir);
    await mkdir(join(dir, 'models', 'm', '1'), { recursive: true });
    await writeFile(join(dir, 'models', 'm', '1', 'kept.txt'), 'original');
    const staged = await store.stage();
    await writeFile(join(staged.dir, 'new.txt'), 'new');

    const error = await expectArtifactInvalid(() => staged.commit('models/m/1'));

    expect(error.message).toContain('models/m/1 already exists');
    expect(await readdir(join(dir, 'models', 'm', '1'))).toEqual(['kept.txt']);
    expect(await readdir(staged.dir)).toEqual(['new.txt']);
  });

  it('commit rejects an empty existing target', async () => {
    const store = new FileArtifactStore(dir);
    await mkdir(join(dir, 'models', 'm', '1'), { recursive: true });
    const staged = await store.stage();

    await expectArtifactInvalid(() => staged.commit('models/m/1'));
  });

  it('commit rejects a path outside the root', async () => {
    const store = new FileArtifactStore(join(dir, 'root'));
    const staged = await store.stage();

    await expectArtifactInvalid(() => staged.commit('../outside'));

    await expect(stat(join(dir, 'outside'))).rejects.toThrow(/ENOENT/);
  });

  it('discard removes the staging folder', async () => {
    const store = new FileArtifactStore(dir);
    const staged = await store.stage();
    await writeFile(join(staged.dir, 'partial.bin'), 'half');

    await staged.discard();

    expect(await readdir(join(dir, STAGING_DIR))).toEqual([]);
  });

  it('discard after commit keeps the artifact', async () => {
    const store = new FileArtifactStore(dir);
    const staged = await store.stage();
    await writeFile(join(staged.dir, 'model.onnx'), 'weights');
    await staged.commit('models/m/1');

    await staged.discard();

    expect(await readdir(join(dir, 'models', 'm', '1'))).toEqual(['model.onnx']);
  });

  it('sweepStaging removes leftovers', async () => {
    const store = new FileArtifactStore(dir);
    const first = await store.stage();
    const second = await store.stage();
    await writeFile(join(first.dir, 'partial.bin'), 'half');
    const orphans = [await orphanStagingDir(first.dir), await orphanStagingDir(second.dir)];

    const removed = await store.sweepStaging();

    expect(removed.sort()).toEqual(orphans.sort());
    expect(await readdir(join(dir, STAGING_DIR))).toEqual([]);
  });

  it('sweepStaging keeps writes in progress', async () => {
    const store = new FileArtifactStore(dir);
    const live = await store.stage();

    expect(await store.sweepStaging()).toEqual([]);
    expect(await readdir(join(dir, STAGING_DIR))).toEqual([basename(live.dir)]);
    expect(basename(live.dir)).toMatch(new RegExp(`^${process.pid}-`));
  });

  it('sweepStaging without a staging folder', async () => {
    const store = new FileArtifactStore(join(dir, 'never-used'));

    expect(await store.sweepStaging()).toEqual([]);
  });

  it('remove deletes a folder, tolerates missing', async () => {
    const store = new FileArtifactStore(dir);
    await mkdir(join(dir, 'models', 'm', '1'), { recursive: true });

    await store.remove('models/m/1');
    await store.remove('models/m/2');

    expect(await readdir(join(dir, 'models', 'm'))).toEqual([]);
  });
});

describe('FileArtifactStore.resolve', () => {
  it('resolves a relative path under the root', () => {
    const store = new FileArtifactStore(dir);

    expect(store.resolve('models/m/1')).toBe(join(dir, 'models', 'm', '1'));
    expect(store.resolve('models/./m')).toBe(join(dir, 'models', 'm'));
  });

  const escaping = [
    '',
    '.',
    '..',
    '../outside',
    'models/../../outside',
    'models/..',
    '/etc/passwd',
    '..\\outside',
    'C:\\Windows',
    'models/m\0/1',
    `${STAGING_DIR}/abc`,
  ];
  for (const relativeDir of escaping) {
    it(`rejects ${JSON.stringify(relativeDir)}`, async () => {
      const store = new FileArtifactStore(dir);

      await expectArtifactInvalid(() => store.resolve(relativeDir));
    });
  }

  it('remove rejects an escaping path', async () => {
    await mkdir(join(dir, 'root'));
    await writeFile(join(dir, 'precious.txt'), 'keep');
    const store = new FileArtifactStore(join(dir, 'root'));

    await expectArtifactInvalid(() => store.remove('../precious.txt'));

    expect(await readFile(join(dir, 'precious.txt'), 'utf8')).toBe('keep');
  });
});

describe('digestDirectory', () => {
  async function writeTree(root: string, files: Record<string, string>): Promise<void> {
    for (const [relativePath, content] of Object.entries(files)) {
      const path = join(root, ...relativePath.split('/'));
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, content);
    }
  }

  it('hashes sorted paths, sizes and contents', async () => {
    await writeTree(dir, { 'b.txt': 'bee', 'a/z.bin': 'zed', 'a/y.bin': '' });
    const expected = createHash('sha256');
    for (const [path, content] of [
      ['a/y.bin', ''],
      ['a/z.bin', 'zed'],
      ['b.txt', 'bee'],
    ] as const) {
      expected.update(`${path}\0${Buffer.byteLength(content)}\0`);
      expected.update(content);
    }

    const result = await digestDirectory(dir);

    expect(result.digest).toBe(expected.digest('hex'));
    expect(result.sizeBytes).toBe(6);
    expect(result.fileCount).toBe(3);
  });

  it('ignores creation order', async () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    await writeTree(first, { 'x.txt': '1', 'y/z.txt': '2' });
    await writeTree(second, { 'y/z.txt': '2', 'x.txt': '1' });

    expect((await digestDirectory(first)).digest).toBe((await digestDirectory(second)).digest);
  });

  it('changes with content or path', async () => {
    const base = join(dir, 'base');
    const edited = join(dir, 'edited');
    const renamed = join(dir, 'renamed');
    await writeTree(base, { 'model.onnx': 'weights' });
    await writeTree(edited, { 'model.onnx': 'weightz' });
    await writeTree(renamed, { 'model2.onnx': 'weights' });

    const digest = (await digestDirectory(base)).digest;

    expect((await digestDirectory(edited)).digest).not.toBe(digest);
    expect((await digestDirectory(renamed)).digest).not.toBe(digest);
  });

  it('excludes listed files', async () => {
    const withCard = join(dir, 'with-card');
    const withoutCard = join(dir, 'without-card');
    await writeTree(withCard, { 'model.onnx': 'weights', 'model-card.json': '{}' });
    await writeTree(withoutCard, { 'model.onnx': 'weights' });

    const excluded = await digestDirectory(withCard, { exclude: ['model-card.json'] });

    expect(excluded.digest).toBe((await digestDirectory(withoutCard)).digest);
    expect(excluded.sizeBytes).toBe(7);
  });

  it('rejects a symbolic link', async () => {
    await writeFile(join(dir, 'target.txt'), 'secret');
    await mkdir(join(dir, 'folder'));
    await symlink(join(dir, 'target.txt'), join(dir, 'folder', 'link.txt'));

    const error = await expectArtifactInvalid(() => digestDirectory(join(dir, 'folder')));

    expect(error.message).toContain('link.txt');
  });
});
