import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Registry, VersionRecord } from '../../registry/index.js';
import { copyFiles } from '../../storage/index.js';

/** Registry fields of the version that {@link registerStagedVersion} creates. */
export interface StagedVersion {
  name: string;
  task: string;
  description?: string;
  alias?: string;
}

/**
 * Creates a staging folder in the system temp folder, named after `prefix`, and lets `stage`
 * write the model files into it and return the model card. Registers an ONNX version with
 * them, then removes the folder whether registering succeeded or failed.
 */
export async function registerStagedVersion(
  registry: Registry,
  prefix: string,
  version: StagedVersion,
  stage: (staging: string) => Promise<Record<string, unknown>>,
): Promise<VersionRecord> {
  const staging = await mkdtemp(join(tmpdir(), prefix));
  try {
    const modelCard = await stage(staging);
    return await registry.createVersion({
      name: version.name,
      task: version.task,
      runtime: 'onnx',
      ...(version.description === undefined ? {} : { description: version.description }),
      modelCard,
      ...(version.alias === undefined ? {} : { alias: version.alias }),
      writeFiles: (dir) => copyFiles(staging, dir),
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
