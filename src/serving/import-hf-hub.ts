import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertAlias,
  assertModelName,
  type Registry,
  type VersionRecord,
} from '../registry/index.js';
import { MaasError } from '../errors/index.js';
import { isHfTask } from '../tasks/hf/index.js';
import {
  downloadHubModel,
  isHubModelId,
  isHubRevision,
  type HubDownloadOptions,
} from './hub-download.js';
import { importHuggingFaceFolder, type HuggingFaceImportOptions } from './import-hf-folder.js';

export interface HubImportOptions extends HuggingFaceImportOptions {
  /** Whether downloads are allowed at all (`hub.allow_remote`). */
  allowRemote: boolean;
  download: HubDownloadOptions;
}

/**
 * Downloads hub model `id` (its config, tokenizer and ONNX export) into a temporary folder
 * and registers it as {@link importHuggingFaceFolder} does. The temporary folder is removed
 * afterwards, whether the import succeeds or not.
 *
 * @throws MaasError `MAAS_ERR_HUB_DISABLED` unless `allowRemote` is set, the download errors
 * of {@link downloadHubModel}, and the import errors for a folder that cannot be served.
 */
export async function importHuggingFaceHub(
  registry: Registry,
  id: string,
  options: HubImportOptions,
): Promise<VersionRecord> {
  if (!options.allowRemote) {
    throw new MaasError(
      'MAAS_ERR_HUB_DISABLED',
      `${id} is not a local folder, and downloads from the model hub are off; set hub.allow_remote to true (MAAS_HUB_ALLOW_REMOTE=true) to download it, or pass the path of a downloaded folder`,
      { param: 'model' },
    );
  }
  // Everything that can be checked without the files is checked before the download.
  assertModelName(options.name);
  if (options.alias !== undefined) assertAlias(options.alias);
  if (options.task !== undefined && !isHfTask(options.task)) {
    throw new MaasError(
      'MAAS_ERR_TASK_UNSUPPORTED',
      `task "${options.task}" is not served for Hugging Face models; use one of text-classification, token-classification, feature-extraction, fill-mask, zero-shot-classification`,
      { param: 'task' },
    );
  }
  if (!isHubModelId(id)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `"${id}" is not a hub model id: use owner/name, each part of letters, digits, _, . and - and at most 96 characters`,
      { param: 'model' },
    );
  }
  if (!isHubRevision(options.download.revision)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `revision "${options.download.revision}" is invalid: use a branch, tag or commit such as main, v1.0 or refs/pr/1`,
      { param: 'revision' },
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'maas-hub-'));
  try {
    await downloadHubModel(id, dir, options.download);
    const { download } = options;
    return await importHuggingFaceFolder(registry, dir, {
      name: options.name,
      ...(options.task === undefined ? {} : { task: options.task }),
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.alias === undefined ? {} : { alias: options.alias }),
      source: { hub: id, revision: download.revision, endpoint: download.endpoint },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
