export type { ImportFolderOptions } from './import-folder.js';
export {
  ALIAS_PATTERN,
  MODEL_NAME_PATTERN,
  PRODUCTION_ALIAS,
  assertAlias,
  assertModelName,
  formatModelReference,
  isValidModelName,
  parseModelReference,
  type ModelReference,
} from './reference.js';
export { Registry } from './registry.js';
export {
  MODEL_CARD_FILE,
  type AliasRecord,
  type CreateVersionInput,
  type ImportedVersion,
  type ModelDetail,
  type ModelSummary,
  type RecoveryReport,
  type RegistryOptions,
  type ResolvedVersion,
  type VersionDetail,
  type VersionRecord,
} from './types.js';
