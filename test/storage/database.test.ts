import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import {
  MIGRATIONS,
  closeDatabase,
  migrateToLatest,
  openDatabase,
  type DatabaseSchema,
} from '../../src/storage/index.js';

async function pragma(db: Kysely<DatabaseSchema>, name: string): Promise<unknown> {
  const result = await sql<Record<string, unknown>>`PRAGMA ${sql.raw(name)}`.execute(db);
  const row = result.rows[0] ?? {};
  return Object.values(row)[0];
}

describe('openDatabase', () => {
  let dir: string;
  const opened: Kysely<DatabaseSchema>[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nlp-maas-database-'));
  });

  afterEach(async () => {
    for (const db of opened.splice(0)) {
      await closeDatabase(db);
    }
    await rm(dir, { recursive: true, force: true });
  });

  function open(file: string, busyTimeoutMs?: number): Kysely<DatabaseSchema> {
    const db = openDatabase(file, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
    opened.push(db);
    return db;
  }

  it('uses WAL journal mode for a file', async () => {
    const db = open(join(dir, 'maas.sqlite'));

    expect(await pragma(db, 'journal_mode')).toBe('wal');
  });

  it('sets foreign keys, synchronous and busy timeout', async () => {
    const db = open(join(dir, 'maas.sqlite'));

    expect(await pragma(db, 'foreign_keys')).toBe(1);
    expect(await pragma(db, 'synchronous')).toBe(1); // 1 is NORMAL
    expect(await pragma(db, 'busy_timeout')).toBe(5000);
  });

  it('accepts a custom busy timeout', async () => {
    const db = open(join(dir, 'maas.sqlite'), 250);

    expect(await pragma(db, 'busy_timeout')).toBe(250);
  });

  it('creates missing parent folders', async () => {
    const db = open(join(dir, 'nested', 'deeper', 'maas.sqlite'));

    expect(await pragma(db, 'journal_mode')).toBe('wal');
  });

  it('opens an in-memory database', async () => {
    const db = open(':memory:');
    await migrateToLatest(db);

    expect(await db.selectFrom('models').selectAll().execute()).toEqual([]);
  });

  it('takes the write lock at transaction start', async () => {
    const file = join(dir, 'maas.sqlite');
    const db = open(file);
    await migrateToLatest(db);
    const other = new Database(file, { timeout: 0 });

    let otherWriteError: unknown;
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('models').selectAll().execute();
      try {
        other.exec('BEGIN IMMEDIATE');
        other.exec('ROLLBACK');
      } catch (error) {
        otherWriteError = error;
      }
    });
    other.close();

    expect((otherWriteError as { code?: string } | undefined)?.code).toBe('SQLITE_BUSY');
  });

  it('rejects a path under a regular file', async () => {
    await writeFile(join(dir, 'not-a-folder'), '');

    let caught: unknown;
    try {
      open(join(dir, 'not-a-folder', 'maas.sqlite'));
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(MaasError);
    expect((caught as MaasError).code).toBe('MAAS_ERR_CONFIG_INVALID');
    expect((caught as MaasError).message).toContain('not-a-folder');
  });
});

describe('migrateToLatest', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nlp-maas-migrate-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every migration once', async () => {
    const file = join(dir, 'maas.sqlite');
    const db = openDatabase(file);

    const first = await migrateToLatest(db);
    const second = await migrateToLatest(db);
    await closeDatabase(db);

    expect(first.map((result) => result.migrationName)).toEqual(Object.keys(MIGRATIONS).sort());
    expect(first.every((result) => result.status === 'Success')).toBe(true);
    expect(second).toEqual([]);
  });

  it('keeps migrations applied after reopening', async () => {
    const file = join(dir, 'maas.sqlite');
    const first = openDatabase(file);
    await migrateToLatest(first);
    await closeDatabase(first);

    const reopened = openDatabase(file);
    const results = await migrateToLatest(reopened);
    const tables = await sql<{ name: string }>`
      SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name
    `.execute(reopened);
    await closeDatabase(reopened);

    expect(results).toEqual([]);
    const names = tables.rows.map((row) => row.name);
    expect(names).toContain('models');
    expect(names).toContain('versions');
    expect(names).toContain('aliases');
  });

  it('creates tables that enforce foreign keys', async () => {
    const db = openDatabase(join(dir, 'maas.sqlite'));
    await migrateToLatest(db);

    const insertOrphan = db
      .insertInto('versions')
      .values({
        model_name: 'missing-model',
        version: 1,
        runtime: 'onnx',
        artifact_dir: 'models/missing-model/1',
        model_card: '{}',
        digest: 'abc',
        size_bytes: 0,
        created_at: new Date().toISOString(),
      })
      .execute();

    await expect(insertOrphan).rejects.toThrow(/FOREIGN KEY/);
    await closeDatabase(db);
  });

  it('rejects version 0', async () => {
    const db = openDatabase(join(dir, 'maas.sqlite'));
    await migrateToLatest(db);
    const now = new Date().toISOString();
    await db
      .insertInto('models')
      .values({ name: 'm', task: 'fill-mask', description: null, created_at: now })
      .execute();

    const insertZero = db
      .insertInto('versions')
      .values({
        model_name: 'm',
        version: 0,
        runtime: 'onnx',
        artifact_dir: 'models/m/0',
        model_card: '{}',
        digest: 'abc',
        size_bytes: 0,
        created_at: now,
      })
      .execute();

    await expect(insertZero).rejects.toThrow(/CHECK/);
    await closeDatabase(db);
  });
});
