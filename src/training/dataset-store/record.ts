import type { DatabaseSchema } from '../../storage/index.js';
import { snakeCaseKeys } from '../../util/snake-case.js';
import {
  OPTION_FIELDS,
  type DatasetFormat,
  type DatasetKind,
  type DatasetReadOptions,
} from './formats.js';

/** Stored dataset, with the JSON columns of its row parsed. */
export interface DatasetRecord {
  /** Lowercase hex SHA-256 of the file's bytes. */
  id: string;
  name: string;
  format: DatasetFormat;
  kind: DatasetKind;
  /** Hugging Face task name of a model trained on it. */
  task: string;
  readOptions: DatasetReadOptions;
  /** Labels, tags or argument labels, sorted. */
  labels: string[];
  statistics: Record<string, unknown>;
  /** The file, relative to the artifact store root. */
  filePath: string;
  sizeBytes: number;
  createdAt: string;
}

/** Converts a `datasets` row, whose JSON columns this code wrote, into a record. */
export function toDatasetRecord(row: DatabaseSchema['datasets']): DatasetRecord {
  return {
    id: row.id,
    name: row.name,
    format: row.format as DatasetFormat,
    kind: row.kind as DatasetKind,
    task: row.task,
    readOptions: JSON.parse(row.read_options) as DatasetReadOptions,
    labels: JSON.parse(row.labels) as string[],
    statistics: JSON.parse(row.statistics) as Record<string, unknown>,
    filePath: row.file_path,
    sizeBytes: row.size_bytes,
    createdAt: row.created_at,
  };
}

/**
 * Dataset in the wire format of the HTTP API and `maas datasets show`: snake_case fields, with
 * the read settings under the names of the upload's form fields.
 */
export function toDatasetJson(dataset: DatasetRecord): Record<string, unknown> {
  return {
    id: dataset.id,
    object: 'dataset',
    name: dataset.name,
    format: dataset.format,
    kind: dataset.kind,
    task: dataset.task,
    read_options: toOptionFields(dataset.readOptions),
    labels: dataset.labels,
    statistics: snakeCaseKeys(dataset.statistics),
    size_bytes: dataset.sizeBytes,
    created_at: dataset.createdAt,
  };
}

/** Renames read options to the form fields of an upload, e.g. `repairTags` to `repair_tags`. */
export function toOptionFields(options: DatasetReadOptions): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([name, value]) => [
      OPTION_FIELDS[name as keyof DatasetReadOptions],
      value,
    ]),
  );
}
