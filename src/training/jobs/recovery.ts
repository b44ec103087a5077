import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import type { Logger } from 'pino';

import type { JobEventHub } from './events.js';
import type { JobStore } from './job-store.js';

/** Start of the error message of a job that was running in a process that is gone. */
export const INTERRUPTED_BY_RESTART = 'interrupted by a server restart';

/**
 * Fails the running jobs whose process on this host no longer runs, because a crash or kill
 * stopped them, and returns their ids. Call it before this process claims a job. Jobs of other hosts stay, because their process cannot
 * be checked from here.
 *
 * NOTE: a crashed owner whose process id a live process reuses keeps its jobs running until
 * that process ends.
 */
export async function failInterruptedJobs(
  store: JobStore,
  hub: JobEventHub,
  logger: Logger,
): Promise<string[]> {
  const host = hostname();
  const failed: string[] = [];
  for (const job of await store.list('running')) {
    const [ownerHost, ownerPid] = (job.owner ?? '').split(':');
    if (job.owner !== null && (ownerHost !== host || isOtherLiveProcess(Number(ownerPid)))) {
      logger.warn({ job: job.id, owner: job.owner }, 'training job runs in another process');
      continue;
    }
    const event = await store.finish(job.id, ['running'], {
      state: 'failed',
      error: {
        code: 'MAAS_ERR_TRAINING_FAILED',
        message: `${INTERRUPTED_BY_RESTART}: process ${job.owner ?? 'unknown'} stopped while the job was running; create the job again`,
      },
    });
    if (event === undefined) continue;
    hub.publish(job.id, event);
    failed.push(job.id);
    logger.warn(
      { job: job.id, owner: job.owner },
      'training job failed: interrupted by a server restart',
    );
  }
  return failed;
}

/**
 * Removes the training output folders (`tmp/train-<pid>-<uuid>`) whose process no longer runs,
 * left by a crash in the middle of training, and returns their names.
 */
export async function removeStaleTrainingFolders(
  tempDir: string,
  logger: Logger,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const stale = names.filter((name) => {
    const pid = /^train-(\d+)-/.exec(name)?.[1];
    return pid !== undefined && !isOtherLiveProcess(Number(pid));
  });
  for (const name of stale) {
    await rm(join(tempDir, name), { recursive: true, force: true });
    logger.warn({ folder: name }, 'removed the output folder of an interrupted training');
  }
  return stale;
}

/**
 * Checks whether another process with this id runs; false for an invalid id and for this
 * process. The recovery runs before this process starts any job, so a job or folder under its
 * own id was left by an earlier process with the same id, such as PID 1 of a restarted container.
 */
function isOtherLiveProcess(pid: number): boolean {
  return pid !== process.pid && isProcessAlive(pid);
}

/** Checks whether a process with this id runs; false for an invalid id. */
function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
