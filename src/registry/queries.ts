import type { Kysely, Selectable } from 'kysely';

import type {
  AliasesTable,
  DatabaseSchema,
  FileArtifactStore,
  ModelsTable,
  VersionsTable,
} from '../storage/index.js';
import type { VersionRecord } from './types.js';

/** A database handle or an open transaction on it. */
export type RegistryDatabase = Kysely<DatabaseSchema>;

export type ModelRow = Selectable<ModelsTable>;
export type VersionRow = Selectable<VersionsTable>;
export type AliasRow = Selectable<AliasesTable>;

export async function findModelRow(db: RegistryDatabase, name: string) {
  return db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Finds the model whose name equals `name` in any letter case. */
export async function findModelRowIgnoringCase(db: RegistryDatabase, name: string) {
  return db
    .selectFrom('models')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
}

export async function listModelNames(db: RegistryDatabase): Promise<string[]> {
  const rows = await db.selectFrom('models').select('name').orderBy('name').execute();
  return rows.map((row) => row.name);
}

export async function listVersionRows(db: RegistryDatabase, name: string): Promise<VersionRow[]> {
  return db
    .selectFrom('versions')
    .selectAll()
    .where('model_name', '=', name)
    .orderBy('version')
    .execute();
}

export async function findVersionRow(db: RegistryDatabase, name: string, version: number) {
  return db
    .selectFrom('versions')
    .selectAll()
    .where('model_name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function findNewestVersionRow(db: RegistryDatabase, name: string) {
  return db
    .selectFrom('versions')
    .selectAll()
    .where('model_name', '=', name)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Finds the oldest version of `name` whose files have `digest`. */
export async function findVersionRowByDigest(db: RegistryDatabase, name: string, digest: string) {
  return db
    .selectFrom('versions')
    .selectAll()
    .where('model_name', '=', name)
    .where('digest', '=', digest)
    .orderBy('version')
    .limit(1)
    .executeTakeFirst();
}

export async function listAliasRows(db: RegistryDatabase, name: string): Promise<AliasRow[]> {
  return db
    .selectFrom('aliases')
    .selectAll()
    .where('model_name', '=', name)
    .orderBy('alias')
    .execute();
}

export async function findAliasRow(db: RegistryDatabase, name: string, alias: string) {
  return db
    .selectFrom('aliases')
    .selectAll()
    .where('model_name', '=', name)
    .where('alias', '=', alias)
    .executeTakeFirst();
}

/** Groups alias rows by the version they point at, each list sorted. */
export function aliasesByVersion(rows: readonly AliasRow[]): Map<number, string[]> {
  const byVersion = new Map<number, string[]>();
  for (const row of rows) {
    const aliases = byVersion.get(row.version) ?? [];
    aliases.push(row.alias);
    byVersion.set(row.version, aliases);
  }
  for (const aliases of byVersion.values()) {
    aliases.sort();
  }
  return byVersion;
}

export function aliasMap(rows: readonly AliasRow[]): Record<string, number> {
  return Object.fromEntries(rows.map((row) => [row.alias, row.version]));
}

export function parseModelCard(row: VersionRow): Record<string, unknown> {
  return JSON.parse(row.model_card) as Record<string, unknown>;
}

/** Loads the full record of a version row, including the aliases that point at it. */
export async function loadVersionRecord(
  db: RegistryDatabase,
  artifacts: FileArtifactStore,
  model: ModelRow,
  row: VersionRow,
): Promise<VersionRecord> {
  const aliasRows = await db
    .selectFrom('aliases')
    .select('alias')
    .where('model_name', '=', row.model_name)
    .where('version', '=', row.version)
    .orderBy('alias')
    .execute();
  return {
    name: row.model_name,
    version: row.version,
    task: model.task,
    runtime: row.runtime,
    dir: artifacts.resolve(row.artifact_dir),
    modelCard: parseModelCard(row),
    aliases: aliasRows.map((aliasRow) => aliasRow.alias),
    createdAt: row.created_at,
    digest: row.digest,
    sizeBytes: row.size_bytes,
  };
}
