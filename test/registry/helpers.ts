import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';

import { Registry } from '../../src/registry/index.js';
import {
  FileArtifactStore,
  closeDatabase,
  migrateToLatest,
  openDatabase,
  type DatabaseSchema,
} from '../../src/storage/index.js';

/** A registry over a real SQLite file and artifact folder in a fresh temporary directory. */
export interface TestRegistry {
  dataDir: string;
  databaseFile: string;
  artifactRoot: string;
  db: Kysely<DatabaseSchema>;
  artifacts: FileArtifactStore;
  registry: Registry;
  /** Opens a second registry on the same files, as a restarted process would. */
  reopen(): Promise<TestRegistry>;
  close(): Promise<void>;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `nlp-maas-${prefix}-`));
}

export async function openTestRegistry(dataDir?: string): Promise<TestRegistry> {
  const dir = dataDir ?? (await makeTempDir('registry'));
  const databaseFile = join(dir, 'registry.sqlite');
  const artifactRoot = join(dir, 'artifacts');
  const db = openDatabase(databaseFile);
  await migrateToLatest(db);
  const artifacts = new FileArtifactStore(artifactRoot);
  return {
    dataDir: dir,
    databaseFile,
    artifactRoot,
    db,
    artifacts,
    registry: new Registry(db, artifacts),
    reopen: () => openTestRegistry(dir),
    close: () => closeDatabase(db),
  };
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A `writeFiles` callback that writes one small model file with `content`. */
export function writeModelFile(content = 'weights') {
  return async (dir: string): Promise<void> => {
    await writeFile(join(dir, 'model.onnx'), content);
  };
}

/** Minimal createVersion input for a text-classification model named `name`. */
export function versionInput(name: string, content = 'weights') {
  return {
    name,
    task: 'text-classification',
    runtime: 'onnx',
    modelCard: { labels: ['negative', 'positive'] },
    writeFiles: writeModelFile(content),
  };
}
