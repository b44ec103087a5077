import { sql, type Kysely } from 'kysely';

/** Creates the `models`, `versions` and `aliases` tables of the model registry. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('models')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('task', 'text', (column) => column.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('versions')
    .addColumn('model_name', 'text', (column) => column.notNull().references('models.name'))
    .addColumn('version', 'integer', (column) => column.notNull().check(sql`version >= 1`))
    .addColumn('runtime', 'text', (column) => column.notNull())
    .addColumn('artifact_dir', 'text', (column) => column.notNull())
    .addColumn('model_card', 'text', (column) => column.notNull())
    .addColumn('digest', 'text', (column) => column.notNull())
    .addColumn('size_bytes', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('versions_pk', ['model_name', 'version'])
    .execute();

  // Serves Registry.findVersionByDigest, which runs on every start-up import.
  await db.schema
    .createIndex('versions_model_name_digest_idx')
    .on('versions')
    .columns(['model_name', 'digest'])
    .execute();

  await db.schema
    .createTable('aliases')
    .addColumn('model_name', 'text', (column) => column.notNull())
    .addColumn('alias', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('aliases_pk', ['model_name', 'alias'])
    .addForeignKeyConstraint('aliases_version_fk', ['model_name', 'version'], 'versions', [
      'model_name',
      'version',
    ])
    .execute();
}

/** Drops the registry tables in reverse dependency order. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('aliases').execute();
  await db.schema.dropTable('versions').execute();
  await db.schema.dropTable('models').execute();
}
