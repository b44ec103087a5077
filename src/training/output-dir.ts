import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Folder under the data folder with the output folders of running trainings. */
export const TRAINING_TEMP_DIR = 'tmp';

/**
 * Creates a new output folder for one training under `dataDir`, calls `use` with it and
 * removes the folder afterwards, whether `use` resolves or rejects.
 */
export async function withTrainingOutputDir<T>(
  dataDir: string,
  use: (outputDir: string) => Promise<T>,
): Promise<T> {
  // The process id in the name lets a later start remove the folders of a crashed run.
  const outputDir = join(dataDir, TRAINING_TEMP_DIR, `train-${process.pid}-${crypto.randomUUID()}`);
  await mkdir(outputDir, { recursive: true });
  try {
    return await use(outputDir);
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}
