export {
  FileArtifactStore,
  STAGING_DIR,
  digestDirectory,
  type DirectoryDigest,
  type StagedArtifact,
} from './artifact-store.js';
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  closeDatabase,
  migrateToLatest,
  openDatabase,
  type OpenDatabaseOptions,
} from './database.js';
export { copyFiles, listFiles } from './file-tree.js';
export { InMemoryMigrationProvider, MIGRATIONS } from './migrations/index.js';
export type {
  AliasesTable,
  ApiKeysTable,
  AuditLogTable,
  DatabaseSchema,
  DatasetsTable,
  ModelsTable,
  TrainingJobEventsTable,
  TrainingJobsTable,
  UsageDailyTable,
  VersionsTable,
} from './schema.js';
