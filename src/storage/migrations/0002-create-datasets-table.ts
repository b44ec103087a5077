import type { Kysely } from 'kysely';

/** Creates the `datasets` table: one row per stored, validated dataset file. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('format', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('task', 'text', (column) => column.notNull())
    .addColumn('read_options', 'text', (column) => column.notNull())
    .addColumn('labels', 'text', (column) => column.notNull())
    .addColumn('statistics', 'text', (column) => column.notNull())
    .addColumn('file_path', 'text', (column) => column.notNull())
    .addColumn('size_bytes', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
}

/** Drops the `datasets` table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('datasets').execute();
}
