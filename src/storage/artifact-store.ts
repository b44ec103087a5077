import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve as resolvePath, sep, win32 } from 'node:path';

import { MaasError } from '../errors/index.js';
import { listFiles, makeDirectories, syncDirectory, syncTree } from './file-tree.js';

/** Folder under the artifact root that contains artifacts still being written. */
export const STAGING_DIR = '.staging';

/** An artifact folder being written, invisible until {@link StagedArtifact.commit}. */
export interface StagedArtifact {
  /** Absolute path of the staging folder to write the files into. */
  readonly dir: string;
  /** Flushes the files written so far to stable storage. `commit` does this too. */
  sync(): Promise<void>;
  /**
   * Flushes every file and folder, then renames the staging folder to `targetRelativeDir`
   * under the artifact root, creating its parents.
   *
   * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` when the target exists or escapes the root.
   */
  commit(targetRelativeDir: string): Promise<void>;
  /** Deletes the staging folder. Does nothing after a successful `commit`. */
  discard(): Promise<void>;
}

/** SHA-256 digest of a folder's files and their total size. */
export interface DirectoryDigest {
  /** Lowercase hex SHA-256 over each file's relative path, size and contents, in path order. */
  digest: string;
  sizeBytes: number;
  fileCount: number;
}

/**
 * Artifact store on the local file system. Every artifact is a folder under `root`, written in
 * `root/.staging/<random id>/` and renamed into place, so a reader never sees a partial one.
 */
export class FileArtifactStore {
  /** Absolute path of the artifact root. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolvePath(root);
  }

  /** Creates an empty staging folder for a new artifact. */
  async stage(): Promise<StagedArtifact> {
    const stagingRoot = join(this.root, STAGING_DIR);
    await mkdir(stagingRoot, { recursive: true });
    // The owner's process id leads the name, so a sweep can tell live writes from leftovers.
    const dir = join(stagingRoot, `${process.pid}-${randomUUID()}`);
    await mkdir(dir);
    return new FileStagedArtifact(this, dir);
  }

  /**
   * Returns the absolute path of `relativeDir` under the root.
   *
   * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` for an empty or absolute path, a `..`
   *   segment, or a path into the staging folder.
   */
  resolve(relativeDir: string): string {
    const segments = relativeDir.split(/[\\/]/);
    const escapes =
      relativeDir.trim() === '' ||
      relativeDir.includes('\0') ||
      isAbsolute(relativeDir) ||
      win32.isAbsolute(relativeDir) ||
      segments.includes('..');
    const absolute = join(this.root, relativeDir);
    const rootPrefix = this.root.endsWith(sep) ? this.root : this.root + sep;
    if (escapes || !absolute.startsWith(rootPrefix)) {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `artifact path ${JSON.stringify(relativeDir)} is not inside the artifact root ` +
          `${this.root}; use a relative path without ".." segments, such as models/<name>/<version>`,
      );
    }
    if (relative(this.root, absolute).split(sep)[0] === STAGING_DIR) {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `artifact path ${JSON.stringify(relativeDir)} is inside the reserved ${STAGING_DIR} ` +
          'folder; choose a path outside it',
      );
    }
    return absolute;
  }

  /** Reports whether a file or folder exists at `relativeDir`. */
  async exists(relativeDir: string): Promise<boolean> {
    return pathExists(this.resolve(relativeDir));
  }

  /** Lists the names of the entries in `relativeDir`, or none when it does not exist. */
  async listDirectory(relativeDir: string): Promise<string[]> {
    try {
      return (await readdir(this.resolve(relativeDir))).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw error;
    }
  }

  /** Deletes `relativeDir` and everything in it. Does nothing when it does not exist. */
  async remove(relativeDir: string): Promise<void> {
    await rm(this.resolve(relativeDir), { recursive: true, force: true });
  }

  /**
   * Deletes the staging folders whose writing process no longer runs, and returns their
   * names. A staging folder outlives its write only when that process crashed. Folders of
   * live processes, this one included, are writes in progress and stay.
   *
   * NOTE: a crashed writer whose process id was reused by a live process keeps its folder
   * until that process ends.
   */
  async sweepStaging(): Promise<string[]> {
    const stagingRoot = join(this.root, STAGING_DIR);
    let names: string[];
    try {
      names = (await readdir(stagingRoot)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw error;
    }
    const stale = names.filter((name) => !isProcessAlive(Number.parseInt(name, 10)));
    for (const name of stale) {
      await rm(join(stagingRoot, name), { recursive: true, force: true });
    }
    return stale;
  }
}

/** Checks whether a process with this id runs; false for names without a leading id. */
function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

class FileStagedArtifact implements StagedArtifact {
  readonly dir: string;
  readonly #store: FileArtifactStore;
  #committed = false;

  constructor(store: FileArtifactStore, dir: string) {
    this.#store = store;
    this.dir = dir;
  }

  async sync(): Promise<void> {
    await syncTree(this.dir);
  }

  async commit(targetRelativeDir: string): Promise<void> {
    if (this.#committed) {
      throw new Error(`staged artifact ${this.dir} is already committed`);
    }
    const target = this.#store.resolve(targetRelativeDir);
    await syncTree(this.dir);
    if (await pathExists(target)) {
      throw targetExistsError(targetRelativeDir, this.#store.root);
    }
    await makeDirectories(dirname(target));
    try {
      await rename(this.dir, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw targetExistsError(targetRelativeDir, this.#store.root);
      }
      throw error;
    }
    this.#committed = true;
    await syncDirectory(dirname(target));
    await syncDirectory(dirname(this.dir));
  }

  async discard(): Promise<void> {
    if (!this.#committed) {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

function targetExistsError(targetRelativeDir: string, root: string): MaasError {
  return new MaasError(
    'MAAS_ERR_ARTIFACT_INVALID',
    `artifact folder ${targetRelativeDir} already exists in ${root}; ` +
      'an artifact is immutable, so commit to a new path',
  );
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}

/**
 * Computes the SHA-256 digest and total size of the regular files under `dir`. Each file adds
 * its `/`-separated relative path, a NUL byte, its size in decimal, a NUL byte and its contents,
 * in path order, so the digest is the same on every platform and for every copy of the folder.
 *
 * @param options.exclude - relative paths (with `/`) of files to leave out.
 * @throws MaasError `MAAS_ERR_ARTIFACT_INVALID` for a symbolic link or a file that changes
 *   while it is read.
 */
export async function digestDirectory(
  dir: string,
  options: { exclude?: readonly string[] } = {},
): Promise<DirectoryDigest> {
  const excluded = new Set(options.exclude ?? []);
  const files = (await listFiles(dir)).filter((file) => !excluded.has(file));
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for (const file of files) {
    const path = join(dir, file);
    const { size } = await stat(path);
    hash.update(`${file}\0${size}\0`);
    let bytesRead = 0;
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      bytesRead += (chunk as Buffer).length;
    }
    if (bytesRead !== size) {
      throw new MaasError(
        'MAAS_ERR_ARTIFACT_INVALID',
        `${path} changed from ${size} to ${bytesRead} bytes while its digest was computed; ` +
          'finish writing the folder before registering it',
      );
    }
    sizeBytes += size;
  }
  return { digest: hash.digest('hex'), sizeBytes, fileCount: files.length };
}
