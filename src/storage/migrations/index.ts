import type { Migration, MigrationProvider } from 'kysely';

import * as createRegistryTables from './0001-create-registry-tables.js';
import * as createDatasetsTable from './0002-create-datasets-table.js';
import * as createTrainingJobTables from './0003-create-training-job-tables.js';
import * as createTenancyTables from './0005-create-tenancy-tables.js';

/**
 * Every migration, keyed by name. Kysely applies them in the order of their names, so a new
 * migration gets the next four-digit prefix. They are imported statically rather than found on
 * disk, so the compiled `dist/` build carries them without any file lookup.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-create-registry-tables': createRegistryTables,
  '0002-create-datasets-table': createDatasetsTable,
  '0003-create-training-job-tables': createTrainingJobTables,
  '0005-create-tenancy-tables': createTenancyTables,
});

/** Kysely migration provider that returns a fixed record of migrations. */
export class InMemoryMigrationProvider implements MigrationProvider {
  readonly #migrations: Readonly<Record<string, Migration>>;

  constructor(migrations: Readonly<Record<string, Migration>> = MIGRATIONS) {
    this.#migrations = migrations;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.#migrations };
  }
}
