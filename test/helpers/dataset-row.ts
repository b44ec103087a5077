import type { Kysely } from 'kysely';

import type { DatabaseSchema } from '../../src/storage/index.js';

/**
 * Inserts the row of a two-label `reviews.csv` text classification dataset with id `id`, so
 * that jobs can name it. No dataset file is written, so only code that reads the row can use it.
 */
export async function insertDatasetRow(db: Kysely<DatabaseSchema>, id: string): Promise<void> {
  await db
    .insertInto('datasets')
    .values({
      id,
      name: 'reviews.csv',
      format: 'csv',
      kind: 'text-classification',
      task: 'text-classification',
      read_options: '{}',
      labels: '["0","1"]',
      statistics: '{}',
      file_path: `datasets/${id}/data.csv`,
      size_bytes: 1,
      created_at: new Date().toISOString(),
    })
    .execute();
}
