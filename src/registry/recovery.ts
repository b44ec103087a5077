import type { RegistryContext } from './create-version.js';
import type { RecoveryReport } from './types.js';
import { registryWriteLock } from './write-lock.js';

const MODELS_DIR = 'models';

/**
 * Removes staging folders and version folders that no version row references, and reports
 * version rows whose folder is missing. It runs inside a write transaction, so no writer in
 * another process is between renaming a version folder and committing its row.
 */
export async function recoverArtifacts(context: RegistryContext): Promise<RecoveryReport> {
  return registryWriteLock.run(() =>
    context.db.transaction().execute(async (trx) => {
      const { artifacts, logger } = context;
      const removedStagingDirs = await artifacts.sweepStaging();
      for (const dir of removedStagingDirs) {
        logger?.warn({ stagingDir: dir }, 'removed staging folder left by an interrupted write');
      }

      const rows = await trx.selectFrom('versions').select(['artifact_dir']).execute();
      const referenced = new Set(rows.map((row) => row.artifact_dir));
      const removedOrphanDirs = await removeOrphans(context, referenced);

      const missingVersionDirs: string[] = [];
      for (const dir of [...referenced].sort()) {
        if (!(await artifacts.exists(dir))) {
          logger?.error({ artifactDir: dir }, 'version folder is missing; its version cannot load');
          missingVersionDirs.push(dir);
        }
      }
      return { removedStagingDirs, removedOrphanDirs, missingVersionDirs };
    }),
  );
}

/** Removes every entry of `models/` and `models/<name>/` that no referenced folder is under. */
async function removeOrphans(
  context: RegistryContext,
  referenced: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  const remove = async (dir: string): Promise<void> => {
    context.logger?.warn({ artifactDir: dir }, 'removed version folder that has no version row');
    await context.artifacts.remove(dir);
    removed.push(dir);
  };

  for (const modelEntry of await context.artifacts.listDirectory(MODELS_DIR)) {
    const modelDir = `${MODELS_DIR}/${modelEntry}`;
    const prefix = `${modelDir}/`;
    if (![...referenced].some((dir) => dir.startsWith(prefix))) {
      await remove(modelDir);
      continue;
    }
    for (const versionEntry of await context.artifacts.listDirectory(modelDir)) {
      const versionDir = `${modelDir}/${versionEntry}`;
      if (!referenced.has(versionDir)) {
        await remove(versionDir);
      }
    }
  }
  return removed;
}
