// Copies a trained version into the bundled models folder without the tfjs files, with the
// reproduce command and the notes (one paragraph per line of standard input) added to the
// model card.
// Usage: tsx scripts/zoo/install-model.ts <version folder> <model folder> <reproduce command>
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files of a version that stay out of the bundle. The server runs `model.onnx` with ONNX
 * Runtime, so it never reads the tfjs model, which would double the folder's size.
 */
const UNBUNDLED_FILES = new Set(['model.json', 'weights.bin']);

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
for (const file of readdirSync(versionDir)) {
  if (!UNBUNDLED_FILES.has(file)) copyFileSync(join(versionDir, file), join(modelDir, file));
}
const cardFile = join(modelDir, 'model-card.json');
const card = JSON.parse(readFileSync(cardFile, 'utf8')) as Record<string, unknown>;
card['reproduce'] = reproduce;
card['notes'] = notes;
writeFileSync(cardFile, JSON.stringify(card, null, 2) + '\n');
console.log(`installed ${modelDir}`);
