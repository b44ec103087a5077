// Writes one tiny Hugging Face-layout model folder per pipeline task, with random weights,
// and a tiny llama GGUF file for text generation.
// Usage: tsx scripts/fixtures.ts <dir> [--seed N]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_FIXTURE_SEED,
  MAX_SEED,
  TINY_LLAMA_FILE,
  writeAllFixtures,
} from '../src/fixtures/index.js';

const USAGE = `usage: tsx scripts/fixtures.ts <dir> [--seed N]

Writes one folder per task (tiny-bert-text-classification, ...) and ${TINY_LLAMA_FILE}
into <dir>.

Options:
  --seed N  seed of the random weights, an integer from 0 to ${MAX_SEED} (default ${DEFAULT_FIXTURE_SEED})
  --help    print this help`;

function fail(message: string): never {
  console.error(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseSeed(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FIXTURE_SEED;
  const seed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seed) || seed > MAX_SEED) {
    fail(`invalid --seed "${text}": expected an integer from 0 to ${MAX_SEED}`);
  }
  return seed;
}

/** Reads `<dir>` and `--seed` from the command line, or exits with the usage on invalid input. */
function parseCommandLine(): { dir: string; seed: number } {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { seed: { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    fail((error as Error).message);
  }

  if (parsed.values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined) fail('missing <dir>');
  if (extra.length > 0) fail(`unexpected arguments: ${extra.join(' ')}`);
  return { dir: resolve(dir), seed: parseSeed(parsed.values.seed) };
}

const { dir, seed } = parseCommandLine();
const written = await writeAllFixtures(dir, { seed });
for (const fixture of written) {
  console.log(`wrote ${fixture.task} to ${fixture.path} (${fixture.files.join(', ')})`);
}
console.log(`wrote text-generation to ${join(dir, TINY_LLAMA_FILE)}`);
console.log(`seed ${seed}: ${written.length} folders and 1 GGUF file in ${dir}`);
