/**
 * Row types of the metadata database. Column names are snake_case because they are SQL
 * columns. Timestamps are ISO-8601 strings in UTC, written with `Date.prototype.toISOString`.
 */

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
  /** What the dataset trains: text-classification, token-classification, and so on. */
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

/** Every table of the metadata database, as Kysely's `DB` type parameter. */
export interface DatabaseSchema {
  models: ModelsTable;
  versions: VersionsTable;
  aliases: AliasesTable;
  datasets: DatasetsTable;
}
