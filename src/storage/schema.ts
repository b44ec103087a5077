/**
 * Row types of the metadata database. Column names are snake_case because they are SQL
 * columns. Timestamps are ISO-8601 strings in UTC, written with `Date.prototype.toISOString`.
 */

import type { Generated } from 'kysely';

/** A named, task-typed model. */
export interface ModelsTable {
  name: string;
  task: string;
  description: string | null;
  created_at: string;
}

/** An immutable version of a model and the folder that contains its files. */
export interface VersionsTable {
  model_name: string;
  /** Version number, starting at 1 for each model. */
  version: number;
  runtime: string;
  /** Folder of the version's files, relative to the artifact store root. */
  artifact_dir: string;
  /** The version's model card as a JSON object. */
  model_card: string;
  /** SHA-256 hex digest of the version's files, excluding `model-card.json`. */
  digest: string;
  /** Total size of the files covered by `digest`, in bytes. */
  size_bytes: number;
  created_at: string;
}

/** A movable name that points at one version of a model. */
export interface AliasesTable {
  model_name: string;
  alias: string;
  version: number;
  updated_at: string;
}

/** An API key. Only a hash of its secret is stored. */
export interface ApiKeysTable {
  /** Public key id, also the first part of the secret, e.g. `key_1a2b3c4d5e6f`. */
  id: string;
  name: string;
  /** SHA-256 hex digest of the whole secret. */
  secret_hash: string;
  /** Comma-separated scopes: `infer`, `train`, `admin`. */
  scopes: string;
  /** Comma-separated model names the key may use; null for every model. */
  models: string | null;
  /** Requests per minute; null for the `keys.default_rpm` setting, 0 for no limit. */
  rpm: number | null;
  /** Tokens per minute; null for the `keys.default_tpm` setting, 0 for no limit. */
  tpm: number | null;
  /** Requests at the same time; null for `keys.default_max_concurrent`, 0 for no limit. */
  max_concurrent: number | null;
  /** Tokens per calendar month (UTC); null for `keys.default_monthly_tokens`, 0 for no limit. */
  monthly_tokens: number | null;
  created_at: string;
  revoked_at: string | null;
}

/** Usage of one key on one model on one UTC day. */
export interface UsageDailyTable {
  key_id: string;
  /** Model name, or the empty string for requests that ran no model. */
  model: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  compute_ms: number;
  /** Requests that ended with a 4xx or 5xx status. */
  errors: number;
}

/** One administrative action. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  /** Key id of the caller, `cli` for the command line, or `anonymous` when auth is off. */
  actor: string;
  /** Action name, e.g. `keys.create` or `POST /v1/models/:ref/unload`. */
  action: string;
  /** Object of the action, e.g. a key id or a model reference. */
  target: string;
  /** HTTP status of the action, or null for the command line. */
  status: number | null;
  /** JSON object with further fields; never a secret. */
  details: Generated<string>;
}

/** Every table of the metadata database, as Kysely's `DB` type parameter. */
export interface DatabaseSchema {
  models: ModelsTable;
  versions: VersionsTable;
  aliases: AliasesTable;
  api_keys: ApiKeysTable;
  usage_daily: UsageDailyTable;
  audit_log: AuditLogTable;
}
