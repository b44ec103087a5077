import { spawnSync } from 'node:child_process';
import { rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Id of a process that has exited: a child that ran nothing. */
export function deadProcessId(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) {
    throw new Error('could not start a child process');
  }
  return child.pid;
}

/**
 * Renames a staging folder as if a process that crashed had created it, which is what a
 * staging sweep removes. Returns the new folder name.
 */
export async function orphanStagingDir(dir: string): Promise<string> {
  const name = `${deadProcessId()}-${basename(dir).split('-').slice(1).join('-')}`;
  await rename(dir, join(dirname(dir), name));
  return name;
}
