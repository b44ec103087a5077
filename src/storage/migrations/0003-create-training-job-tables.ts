import { sql, type Kysely } from 'kysely';

/**
 * Creates `training_jobs`, one row per training job, and `training_job_events`, the events of
 * each job in order, which a late subscriber replays.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('training_jobs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('dataset_id', 'text', (column) => column.notNull())
    .addColumn('validation_dataset_id', 'text')
    .addColumn('task', 'text', (column) => column.notNull())
    .addColumn('architecture', 'text', (column) => column.notNull())
    .addColumn('hyperparameters', 'text', (column) => column.notNull())
    .addColumn('validation_split', 'real', (column) => column.notNull())
    .addColumn('model_name', 'text', (column) => column.notNull())
    .addColumn('alias', 'text')
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('progress', 'real', (column) => column.notNull().defaultTo(0))
    .addColumn('epoch', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('metrics', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('error', 'text')
    .addColumn('owner', 'text')
    .addColumn('model_version', 'integer')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();

  // Serves the runner's search for the oldest queued job and the recovery of running ones.
  await db.schema
    .createIndex('training_jobs_state_created_at_idx')
    .on('training_jobs')
    .columns(['state', 'created_at'])
    .execute();

  await db.schema
    .createTable('training_job_events')
    .addColumn('job_id', 'text', (column) =>
      column.notNull().references('training_jobs.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (column) => column.notNull().check(sql`seq >= 1`))
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('data', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('training_job_events_pk', ['job_id', 'seq'])
    .execute();
}

/** Drops the training job tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('training_job_events').execute();
  await db.schema.dropTable('training_jobs').execute();
}
