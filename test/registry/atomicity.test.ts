import { spawnSync } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { Registry } from '../../src/registry/index.js';
import { STAGING_DIR } from '../../src/storage/index.js';
import { orphanStagingDir } from '../helpers/dead-process.js';
import { openTestRegistry, removeTempDir, versionInput, type TestRegistry } from './helpers.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REGISTRY_URL = new URL('../../src/registry/index.ts', import.meta.url).href;
const STORAGE_URL = new URL('../../src/storage/index.ts', import.meta.url).href;
// The child script lives in a temporary folder, where bare package names do not resolve.
const requireFromTest = createRequire(import.meta.url);
const KYSELY_URL = pathToFileURL(requireFromTest.resolve('kysely')).href;
const BETTER_SQLITE3_URL = pathToFileURL(requireFromTest.resolve('better-sqlite3')).href;

let env: TestRegistry;

beforeEach(async () => {
  env = await openTestRegistry();
});

afterEach(async () => {
  await env.close();
  await removeTempDir(env.dataDir);
});

async function listOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }
}

async function countRows(registry: TestRegistry): Promise<{ models: number; versions: number }> {
  const models = await registry.db.selectFrom('models').selectAll().execute();
  const versions = await registry.db.selectFrom('versions').selectAll().execute();
  return { models: models.length, versions: versions.length };
}

/**
 * Runs `body` as an ES module in a child Node process with tsx, after a preamble that defines
 * `Registry`, `storage`, `dataDir`, `join`, `open`, `kyselyUrl` and `betterSqliteUrl`. Returns
 * how the child ended.
 */
function runChild(dataDir: string, body: string) {
  const script = [
    `import { open } from 'node:fs/promises';`,
    `import { join } from 'node:path';`,
    `const { Registry } = await import(${JSON.stringify(REGISTRY_URL)});`,
    `const storage = await import(${JSON.stringify(STORAGE_URL)});`,
    `const dataDir = ${JSON.stringify(dataDir)};`,
    `const kyselyUrl = ${JSON.stringify(KYSELY_URL)};`,
    `const betterSqliteUrl = ${JSON.stringify(BETTER_SQLITE3_URL)};`,
    body,
  ].join('\n');
  const scriptFile = join(dataDir, 'child.mjs');
  return writeFile(scriptFile, script).then(() =>
    spawnSync(process.execPath, ['--import', 'tsx', scriptFile], {
      cwd: REPOSITORY_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    }),
  );
}

describe('createVersion atomicity', () => {
  it('leaves nothing when writeFiles throws halfway', async () => {
    const failure = new Error('disk full while writing model.onnx');

    const attempt = env.registry.createVersion({
      ...versionInput('sentiment-zh'),
      alias: 'production',
      writeFiles: async (dir) => {
        await writeFile(join(dir, 'vocab.txt'), 'complete');
        await writeFile(join(dir, 'model.onnx'), 'partial');
        throw failure;
      },
    });

    await expect(attempt).rejects.toBe(failure);
    expect(await countRows(env)).toEqual({ models: 0, versions: 0 });
    expect(await listOrEmpty(join(env.artifactRoot, 'models'))).toEqual([]);
    expect(await listOrEmpty(join(env.artifactRoot, STAGING_DIR))).toEqual([]);
    expect((await env.registry.createVersion(versionInput('sentiment-zh'))).version).toBe(1);
  });

  it('removes the renamed folder when the insert fails', async () => {
    await sql`
      CREATE TRIGGER reject_versions BEFORE INSERT ON versions
      BEGIN SELECT RAISE(ABORT, 'simulated insert failure'); END
    `.execute(env.db);

    const attempt = env.registry.createVersion(versionInput('sentiment-zh'));

    await expect(attempt).rejects.toThrow('simulated insert failure');
    expect(await countRows(env)).toEqual({ models: 0, versions: 0 });
    expect(await listOrEmpty(join(env.artifactRoot, 'models', 'sentiment-zh'))).toEqual([]);
    expect(await listOrEmpty(join(env.artifactRoot, STAGING_DIR))).toEqual([]);
  });

  it('replaces an orphaned folder with the same number', async () => {
    const orphan = join(env.artifactRoot, 'models', 'sentiment-zh', '1');
    await mkdir(orphan, { recursive: true });
    await writeFile(join(orphan, 'stale.bin'), 'left by a crash');

    const record = await env.registry.createVersion(versionInput('sentiment-zh'));

    expect(record.version).toBe(1);
    expect((await readdir(record.dir)).sort()).toEqual(['model-card.json', 'model.onnx']);
  });

  it('survives a crash inside writeFiles', async () => {
    const child = await runChild(
      env.dataDir,
      `
      const db = storage.openDatabase(join(dataDir, 'registry.sqlite'));
      await storage.migrateToLatest(db);
      const registry = new Registry(db, new storage.FileArtifactStore(join(dataDir, 'artifacts')));
      await registry.createVersion({
        name: 'crashed-model',
        task: 'text-classification',
        runtime: 'onnx',
        modelCard: {},
        alias: 'production',
        writeFiles: async (dir) => {
          const handle = await open(join(dir, 'model.onnx'), 'w');
          await handle.write(Buffer.alloc(65536, 7));
          process.kill(process.pid, 'SIGKILL');
        },
      });
      `,
    );

    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');
    const stagingRoot = join(env.artifactRoot, STAGING_DIR);
    const leftovers = await readdir(stagingRoot);
    expect(leftovers).toHaveLength(1);
    const partial = await stat(join(stagingRoot, leftovers[0] as string, 'model.onnx'));
    expect(partial.size).toBe(65536);

    const restarted = await env.reopen();
    try {
      const missing = restarted.registry.resolve('crashed-model');
      await expect(missing).rejects.toBeInstanceOf(MaasError);
      await expect(missing).rejects.toMatchObject({ code: 'MAAS_ERR_MODEL_NOT_FOUND' });
      expect(await restarted.registry.listModels()).toEqual([]);

      const report = await restarted.registry.recover();

      expect(report.removedStagingDirs).toEqual(leftovers);
      expect(await readdir(stagingRoot)).toEqual([]);
      const record = await restarted.registry.createVersion(versionInput('crashed-model'));
      expect(record.version).toBe(1);
    } finally {
      await restarted.close();
    }
  });

  it('survives a crash between rename and commit', async () => {
    // The child opens its own connection so that it can register a SQL function that kills the
    // process, called by a temporary trigger when the version row is inserted.
    const child = await runChild(
      env.dataDir,
      `
      const { default: Database } = await import(betterSqliteUrl);
      const { Kysely, SqliteDialect } = await import(kyselyUrl);
      const sqlite = new Database(join(dataDir, 'registry.sqlite'));
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('foreign_keys = ON');
      sqlite.function('crash', () => process.kill(process.pid, 'SIGKILL'));
      sqlite.exec(
        'CREATE TEMP TRIGGER crash_on_insert BEFORE INSERT ON main.versions ' +
          'BEGIN SELECT crash(); END',
      );
      const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
      const registry = new Registry(db, new storage.FileArtifactStore(join(dataDir, 'artifacts')));
      await registry.createVersion({
        name: 'crashed-model',
        task: 'text-classification',
        runtime: 'onnx',
        modelCard: {},
        writeFiles: async (dir) => {
          const handle = await open(join(dir, 'model.onnx'), 'w');
          await handle.write(Buffer.alloc(1024, 7));
          await handle.close();
        },
      });
      `,
    );

    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');
    const orphan = join(env.artifactRoot, 'models', 'crashed-model', '1');
    expect((await readdir(orphan)).sort()).toEqual(['model-card.json', 'model.onnx']);

    const restarted = await env.reopen();
    try {
      expect(await countRows(restarted)).toEqual({ models: 0, versions: 0 });
      await expect(restarted.registry.resolve('crashed-model')).rejects.toMatchObject({
        code: 'MAAS_ERR_MODEL_NOT_FOUND',
      });

      const report = await restarted.registry.recover();

      expect(report.removedOrphanDirs).toEqual(['models/crashed-model']);
      expect(await listOrEmpty(join(env.artifactRoot, 'models'))).toEqual([]);
      const record = await restarted.registry.createVersion(versionInput('crashed-model'));
      expect(record.version).toBe(1);
    } finally {
      await restarted.close();
    }
  });
});

describe('Registry.recover', () => {
  it('removes orphans and keeps registered versions', async () => {
    await env.registry.createVersion(versionInput('kept', 'a'));
    await env.registry.createVersion(versionInput('kept', 'b'));
    const staged = await env.artifacts.stage();
    await writeFile(join(staged.dir, 'partial.bin'), 'half');
    await orphanStagingDir(staged.dir);
    await mkdir(join(env.artifactRoot, 'models', 'kept', '7'), { recursive: true });
    await mkdir(join(env.artifactRoot, 'models', 'unregistered', '1'), { recursive: true });

    const report = await env.registry.recover();

    expect(report.removedStagingDirs).toHaveLength(1);
    expect(report.removedOrphanDirs.sort()).toEqual(['models/kept/7', 'models/unregistered']);
    expect(report.missingVersionDirs).toEqual([]);
    expect((await readdir(join(env.artifactRoot, 'models', 'kept'))).sort()).toEqual(['1', '2']);
    expect((await env.registry.resolve('kept@2')).version).toBe(2);
  });

  it('logs each removed folder', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const registry = new Registry(env.db, env.artifacts, { logger });
    const staged = await env.artifacts.stage();
    const orphan = await orphanStagingDir(staged.dir);
    await mkdir(join(env.artifactRoot, 'models', 'orphan', '1'), { recursive: true });

    await registry.recover();

    const removals = lines.map((line) => line.stagingDir ?? line.artifactDir);
    expect(removals).toContain(orphan);
    expect(removals).toContain('models/orphan');
    expect(lines.every((line) => line.level === 40)).toBe(true);
  });

  it('reports version folders that are missing', async () => {
    const record = await env.registry.createVersion(versionInput('m'));
    await removeTempDir(record.dir);

    const report = await env.registry.recover();

    expect(report.missingVersionDirs).toEqual(['models/m/1']);
  });

  it('finds nothing on a clean store', async () => {
    expect(await env.registry.recover()).toEqual({
      removedStagingDirs: [],
      removedOrphanDirs: [],
      missingVersionDirs: [],
    });
  });
});
