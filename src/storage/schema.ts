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

/** A stored, validated dataset file. */
export interface DatasetsTable {
  /** Lowercase hex SHA-256 of the file's bytes. */
  id: string;
  /** Display name, by default the uploaded file name. */
  name: string;
  format: string;
  /** Kind of training data: text-classification, token-classification, and so on. */
  kind: string;
  /** Hugging Face task name of a model trained on it. */
  task: string;
  /** Read settings (columns, tag repair) as a JSON object. */
  read_options: string;
  /** Labels, tags or argument labels as a JSON array. */
  labels: string;
  /** Statistics as a JSON object. */
  statistics: string;
  /** The file, relative to the artifact store root. */
  file_path: string;
  size_bytes: number;
  created_at: string;
}

/** A training job: one run of a trainer on a dataset. */
export interface TrainingJobsTable {
  id: string;
  dataset_id: string;
  /** Dataset used as the validation set in place of a split, or null. */
  validation_dataset_id: string | null;
  task: string;
  architecture: string;
  /** Hyperparameter overrides as a JSON object with camelCase keys. */
  hyperparameters: string;
  /** Fraction of the training rows held out for validation when there is no validation set. */
  validation_split: number;
  model_name: string;
  alias: string | null;
  /** One of `JOB_STATES`. */
  state: string;
  /** Share of the planned batches done, from 0 to 1. */
  progress: number;
  /** Epochs finished. */
  epoch: number;
  /** Metrics of each finished epoch as a JSON array. */
  metrics: string;
  /** `{code, message}` of a failed job as JSON, or null. */
  error: string | null;
  /** `host:pid` of the process that runs the job, or null before it starts. */
  owner: string | null;
  /** Registry version that the job created, or null. */
  model_version: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** One event of a training job, numbered from 1 per job. */
export interface TrainingJobEventsTable {
  job_id: string;
  seq: number;
  type: string;
  /** The event's fields as a JSON object. */
  data: string;
  created_at: string;
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
  datasets: DatasetsTable;
  training_jobs: TrainingJobsTable;
  training_job_events: TrainingJobEventsTable;
  api_keys: ApiKeysTable;
  usage_daily: UsageDailyTable;
  audit_log: AuditLogTable;
}
