import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MaasError } from '../../../src/errors/index.js';

/** Runs `run` and returns the MaasError it throws. Rethrows other errors and fails if none. */
export function catchMaasError(run: () => unknown): MaasError {
  try {
    run();
  } catch (error) {
    if (error instanceof MaasError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a MaasError, but nothing was thrown');
}

/** Async form of {@link catchMaasError}. */
export async function catchMaasErrorAsync(run: () => Promise<unknown>): Promise<MaasError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof MaasError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a MaasError, but nothing was thrown');
}

/** Temporary folder for the files of one test file. Call `remove` in afterAll. */
export interface TempFolder {
  /** Writes `content` to `name` in the folder and returns the file's path. */
  write(name: string, content: string | Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

export async function createTempFolder(): Promise<TempFolder> {
  const folder = await mkdtemp(join(tmpdir(), 'maas-datasets-'));
  return {
    async write(name, content) {
      const path = join(folder, name);
      await writeFile(path, content);
      return path;
    },
    async remove() {
      await rm(folder, { recursive: true, force: true });
    },
  };
}
