import { copyFile, mkdir, open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { MaasError } from '../errors/index.js';

/**
 * Lists the regular files under `dir` as `/`-separated paths relative to `dir`, sorted by
 * UTF-16 code unit so the order depends neither on the file system nor on the locale.
 *
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` for a symbolic link or a special file, because
 *   a link could point outside the artifact store and its target would escape the digest.
 */
export async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  await collectFiles(dir, '', files);
  return files.sort(compareCodeUnits);
}

function compareCodeUnits(left: string, right: string): number {
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
}

async function collectFiles(root: string, prefix: string, files: string[]): Promise<void> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  for (const entry of entries) {
    const relativePath = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      await collectFiles(root, relativePath, files);
    } else if (entry.isFile()) {
      files.push(relativePath);
    } else {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `${join(root, relativePath)} is not a regular file or folder; ` +
          'a version folder may contain only regular files and folders, so copy the target ' +
          'of a symbolic link instead of linking it',
      );
    }
  }
}

/** Copies every regular file under `from` to the same relative path under `to`. */
export async function copyFiles(
  from: string,
  to: string,
  options: { exclude?: readonly string[] } = {},
): Promise<void> {
  const excluded = new Set(options.exclude ?? []);
  for (const relativePath of await listFiles(from)) {
    if (excluded.has(relativePath)) {
      continue;
    }
    const target = join(to, relativePath);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(from, relativePath), target);
  }
}

/**
 * Flushes every file and folder under `dir`, and `dir` itself, to stable storage, so that a
 * later rename publishes complete files even after a power loss.
 */
export async function syncTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await syncTree(path);
    } else if (entry.isFile()) {
      await syncFile(path);
    }
  }
  await syncDirectory(dir);
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes the entries of the folder `dir`: new, renamed and removed names in it. */
export async function syncDirectory(dir: string): Promise<void> {
  // Node cannot open a folder to fsync it on Windows, so there the file system alone decides
  // when folder entries reach the disk.
  if (process.platform === 'win32') {
    return;
  }
  await syncFile(dir);
}

/**
 * Creates `dir` and any missing parents, then flushes the parent of each folder it created so
 * that the new folders survive a power loss.
 */
export async function makeDirectories(dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true });
  if (firstCreated === undefined) {
    return;
  }
  for (let current = dir; ; current = dirname(current)) {
    await syncDirectory(dirname(current));
    if (current === firstCreated || dirname(current) === current) {
      return;
    }
  }
}
