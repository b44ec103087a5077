import { hostname } from 'node:os';

import type { Logger } from 'pino';

import type { JobEventHub } from './events.js';
import type { JobStore } from './job-store.js';

/** Start of the error message of a job that was running in a process that is gone. */
export const INTERRUPTED_BY_RESTART = 'interrupted by a server restart';

/**
 * Fails the running jobs whose process on this host no longer runs, because a crash or kill
 * stopped them, and returns their ids. Jobs of other hosts stay, because their process cannot
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
    if (job.owner !== null && (ownerHost !== host || isProcessAlive(Number(ownerPid)))) {
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
