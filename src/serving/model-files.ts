import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedVersion } from '../registry/index.js';
import { ONNX_MODEL_FILE } from '../runtimes/index.js';
import { TFJS_WEIGHTS_FILE } from '../runtimes/tfjs/artifacts.js';
import { TOKENIZER_FILE } from '../tasks/text-classification.js';

/** Bytes of the files a runtime reads into memory: the graph's weights and the tokenizer. */
export async function modelFileBytes(
  version: ResolvedVersion,
  tokenizerFile: string = TOKENIZER_FILE,
): Promise<number> {
  const weights = version.runtime === 'onnx' ? ONNX_MODEL_FILE : TFJS_WEIGHTS_FILE;
  const sizes = await Promise.all(
    [weights, tokenizerFile].map(async (file) => (await stat(join(version.dir, file))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** Bytes of every file under `dir`. */
export async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
