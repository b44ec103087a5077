// Copies a trained version into the bundled models folder: only the files that the server
// reads, with the reproduce command and the notes (one paragraph per line of standard input)
// added to the model card.
// Usage: tsx scripts/zoo/install-model.ts <version folder> <model folder> <reproduce command>
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files of a bundled in-house classifier. The server runs `model.onnx` with ONNX Runtime, so
 * the tfjs `model.json` and `weights.bin` of the version stay out of the bundle.
 */
export const BUNDLED_FILES = ['model.onnx', 'tokenizer.json', 'model-card.json'] as const;

const [versionDir, modelDir, reproduce] = process.argv.slice(2);
if (versionDir === undefined || modelDir === undefined || reproduce === undefined) {
  console.error(
    'usage: tsx scripts/zoo/install-model.ts <version folder> <model folder> <reproduce command>',
  );
  process.exit(2);
}

const notes = readFileSync(0, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '');

rmSync(modelDir, { recursive: true, force: true });
mkdirSync(modelDir, { recursive: true });
for (const file of BUNDLED_FILES) {
  copyFileSync(join(versionDir, file), join(modelDir, file));
}
const cardFile = join(modelDir, 'model-card.json');
const card = JSON.parse(readFileSync(cardFile, 'utf8')) as Record<string, unknown>;
card['reproduce'] = reproduce;
card['notes'] = notes;
writeFileSync(cardFile, JSON.stringify(card, null, 2) + '\n');
console.log(`installed ${modelDir}`);
