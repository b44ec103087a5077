import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';
import { Kysely, Migrator, type MigrationResult } from 'kysely';

import { MaasError } from '../errors/index.js';
import { InMemoryMigrationProvider } from './migrations/index.js';
import type { DatabaseSchema } from './schema.js';
import { ImmediateTransactionSqliteDialect } from './sqlite-dialect.js';

/** Default time a statement waits for another connection's write lock, in milliseconds. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * Time a statement waits for another connection's write lock before it fails with
   * SQLITE_BUSY, in milliseconds.
   * @defaultValue {@link DEFAULT_BUSY_TIMEOUT_MS}
   */
  busyTimeoutMs?: number;
}

const IN_MEMORY = ':memory:';

/**
 * Opens (and creates, with its parent folders) the SQLite database at `file`, in WAL journal
 * mode with foreign keys enforced and `synchronous=NORMAL`. WAL with NORMAL keeps every
 * committed transaction across a process crash. A power loss can drop the last transactions
 * but never corrupts the file. Pass `':memory:'` for a private in-memory database, which has
 * no WAL.
 *
 * @throws MaasError `MAAS_ERR_CONFIG_INVALID` when the file cannot be opened or stays out of
 *   WAL mode.
 */
export function openDatabase(
  file: string,
  options: OpenDatabaseOptions = {},
): Kysely<DatabaseSchema> {
  const sqlite = openSqlite(file);
  try {
    configureSqlite(sqlite, file, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return new Kysely<DatabaseSchema>({
    dialect: new ImmediateTransactionSqliteDialect({ database: sqlite }),
  });
}

function openSqlite(file: string): Database.Database {
  try {
    if (file !== IN_MEMORY) {
      mkdirSync(dirname(file), { recursive: true });
    }
    return new Database(file);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_CONFIG_INVALID',
      `failed to open SQLite database ${file}: ${(error as Error).message}; ` +
        'check that data_dir points to a writable folder',
      { param: 'data_dir', cause: error },
    );
  }
}

function configureSqlite(sqlite: Database.Database, file: string, busyTimeoutMs: number): void {
  const journalMode = sqlite.pragma('journal_mode = WAL', { simple: true });
  if (file !== IN_MEMORY && journalMode !== 'wal') {
    throw new MaasError(
      'MAAS_ERR_CONFIG_INVALID',
      `SQLite database ${file} stayed in journal mode "${String(journalMode)}" instead of "wal"; ` +
        'put data_dir on a local file system that supports shared memory',
      { param: 'data_dir' },
    );
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  sqlite.pragma('synchronous = NORMAL');
}

/**
 * Applies every migration that `db` has not applied yet, in name order, and returns what ran
 * (an empty list when the schema is current). All pending migrations run in one transaction,
 * so a failure leaves the schema as it was.
 *
 * @throws MaasError `MAAS_ERR_INTERNAL_ERROR` naming the failed migration.
 */
export async function migrateToLatest(db: Kysely<DatabaseSchema>): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: new InMemoryMigrationProvider() });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error.message : String(error);
    throw new MaasError(
      'MAAS_ERR_INTERNAL_ERROR',
      `database migration ${failed ?? '(unknown)'} failed: ${cause}; no migration was applied`,
      { cause: error },
    );
  }
  return results;
}

/** Closes the connection behind `db`. Queries on `db` fail afterwards. */
export async function closeDatabase(db: Kysely<DatabaseSchema>): Promise<void> {
  await db.destroy();
}
