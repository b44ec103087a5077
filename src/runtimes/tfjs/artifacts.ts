import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MaasError } from '../../errors/index.js';
import { tf, withoutOrthogonalWarning } from './backend.js';
// Registers the custom layers, so that models using them load.
import './layers.js';

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

  const group = manifest?.weightsManifest?.[0];
  if (
    typeof manifest?.modelTopology !== 'object' ||
    manifest.modelTopology === null ||
    !Array.isArray(group?.paths) ||
    group.paths.length !== 1 ||
    typeof group.paths[0] !== 'string'
  ) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${manifestPath} must have modelTopology and one weights file in weightsManifest`,
    );
  }

  const weightsFile = group.paths[0];
  if (basename(weightsFile) !== weightsFile || weightsFile === '..' || weightsFile === '.') {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `${manifestPath} names weights file "${weightsFile}"; it must be a file name inside the model folder`,
    );
  }

  const weightsPath = join(dir, weightsFile);
  let weights: Buffer;
  try {
    weights = await readFile(weightsPath);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `cannot read ${weightsPath}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  );
  const handler = tf.io.fromMemory({
    modelTopology: manifest.modelTopology,
    weightSpecs: group.weights,
    weightData,
  });

  try {
    // Loading builds every layer, initializers included, before it sets the saved weights.
    return await withoutOrthogonalWarning(() => tf.loadLayersModel(handler));
  } catch (error) {
    // tfjs raises plain errors for an unknown layer config or weights of the wrong size.
    throw new MaasError(
      'MAAS_ERR_ARTIFACT_INVALID',
      `cannot load the layers model in ${dir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}
