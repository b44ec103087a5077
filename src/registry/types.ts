import type { Logger } from 'pino';

/** File in every version folder that contains the model card. The registry writes it. */
export const MODEL_CARD_FILE = 'model-card.json';

/** Options of the {@link Registry} constructor. */
export interface RegistryOptions {
  /** Logger for created versions, recovery and clean-up. Without it the registry logs nothing. */
  logger?: Logger;
}

/** Input of {@link Registry.createVersion}. */
export interface CreateVersionInput {
  name: string;
  /** Hugging Face task name, e.g. `text-classification`. Must match an existing model's task. */
  task: string;
  /** Engine that runs the version: `onnx`, `llama` or `tfjs`. */
  runtime: string;
  /** Model description. When set, it also replaces the description of an existing model. */
  description?: string;
  /**
   * Model card fields. The registry adds `name`, `version`, `task`, `runtime` and `created_at`,
   * which win over fields of the same name here, and writes the result to `model-card.json`.
   */
  modelCard: Record<string, unknown>;
  /**
   * Writes the version's files into the empty folder `dir`. It must not write
   * `model-card.json`, and the folder stays invisible until the version is committed.
   */
  writeFiles: (dir: string) => Promise<void>;
  /** Alias to point at the new version, moved there if it exists. */
  alias?: string;
}

/** A version as resolved from a model reference. */
export interface ResolvedVersion {
  name: string;
  version: number;
  task: string;
  runtime: string;
  /** Absolute path of the version folder. */
  dir: string;
  modelCard: Record<string, unknown>;
  /** Aliases that point at this version, sorted. */
  aliases: string[];
  createdAt: string;
}

/** A stored version with its digest. */
export interface VersionRecord extends ResolvedVersion {
  /** SHA-256 hex digest of the version's files, excluding `model-card.json`. */
  digest: string;
  /** Total size of the files covered by `digest`, in bytes. */
  sizeBytes: number;
}

/** Result of {@link Registry.importVersionFromFolder}. */
export interface ImportedVersion extends VersionRecord {
  /** Whether the import created this version, as opposed to finding one with the same files. */
  created: boolean;
}

/** One model in {@link Registry.listModels}. */
export interface ModelSummary {
  name: string;
  task: string;
  description: string | null;
  createdAt: string;
  latestVersion: number;
  versionCount: number;
  /** Version each alias points at. */
  aliases: Record<string, number>;
}

/** One version in {@link ModelDetail}. */
export interface VersionDetail {
  version: number;
  runtime: string;
  createdAt: string;
  digest: string;
  sizeBytes: number;
  aliases: string[];
  modelCard: Record<string, unknown>;
}

/** A model with all its versions (in ascending order) and aliases. */
export interface ModelDetail {
  name: string;
  task: string;
  description: string | null;
  createdAt: string;
  versions: VersionDetail[];
  aliases: Record<string, number>;
}

/** An alias as stored. */
export interface AliasRecord {
  name: string;
  alias: string;
  version: number;
  updatedAt: string;
}

/** Result of {@link Registry.recover}: the folders it removed or found missing. */
export interface RecoveryReport {
  /** Names of staging folders removed from `.staging/`. */
  removedStagingDirs: string[];
  /** Artifact folders, relative to the root, that no version row referenced. */
  removedOrphanDirs: string[];
  /** Artifact folders of version rows that do not exist on disk. */
  missingVersionDirs: string[];
}
