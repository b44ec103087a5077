import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MaasError } from '../../errors/index.js';
import { tf, withoutOrthogonalWarning } from './backend.js';

/** File names of a tfjs layers model inside a version folder. */
export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** Saves `model` as `model.json` plus one `weights.bin` in `dir`. */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.concatenateArrayBuffers(
        Array.isArray(artifacts.weightData)
          ? artifacts.weightData
          : [artifacts.weightData ?? new ArrayBuffer(0)],
      );
      const manifest = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeAtomically(join(dir, TFJS_WEIGHTS_FILE), new Uint8Array(weightData));
      await writeAtomically(join(dir, TFJS_MODEL_FILE), JSON.stringify(manifest));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** Loads the layers model saved by `saveLayersModel` from `dir`. */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const manifestPath = join(dir, TFJS_MODEL_FILE);
  let manifest: {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `cannot read ${manifestPath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const group = manifest.weightsManifest?.[0];
  if (manifest.modelTopology === undefined || group === undefined || group.paths.length !== 1) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${manifestPath} must have modelTopology and one weights file in weightsManifest`,
    );
  }
  const weights = await readFile(join(dir, group.paths[0] as string));
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: group.weights,
      weightData,
    }),
  );
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}
