import { sql, type Kysely } from 'kysely';

/** Creates the `api_keys`, `usage_daily` and `audit_log` tables of multi-tenancy. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('secret_hash', 'text', (column) => column.notNull())
    .addColumn('scopes', 'text', (column) => column.notNull())
    .addColumn('models', 'text')
    .addColumn('rpm', 'integer')
    .addColumn('tpm', 'integer')
    .addColumn('max_concurrent', 'integer')
    .addColumn('monthly_tokens', 'integer')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('usage_daily')
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('day', 'text', (column) => column.notNull())
    .addColumn('requests', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('input_tokens', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('output_tokens', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('compute_ms', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_daily_pk', ['key_id', 'model', 'day'])
    .execute();

  // Serves usage queries by date range across keys.
  await db.schema.createIndex('usage_daily_day_idx').on('usage_daily').column('day').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('status', 'integer')
    .addColumn('details', 'text', (column) => column.notNull().defaultTo(sql`'{}'`))
    .execute();

  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
}

/** Drops the tenancy tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('usage_daily').execute();
  await db.schema.dropTable('api_keys').execute();
}
