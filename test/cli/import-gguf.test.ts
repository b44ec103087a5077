import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeTinyLlamaGguf } from '../../src/fixtures/index.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

let root: string;
let file: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await makeTempDir('cli-gguf');
  file = join(root, 'tiny.gguf');
  await writeTinyLlamaGguf(file);
  env = {
    MAAS_DATA_DIR: await mkdtemp(join(root, 'data-')),
    MAAS_MODELS_DIR: await mkdtemp(join(root, 'models-')),
  };
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

describe('maas models import for GGUF files', () => {
  it('registers a file with its per-model options', async () => {
    const result = await runCli(
      ['models', 'import', file, '--name', 'tiny-chat', '--context-size', '512', '--parallel', '2'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('imported tiny-chat@1 (text-generation, GGUF file)');

    const shown = await runCli(['models', 'show', 'tiny-chat'], env);
    const version = JSON.parse(shown.stdout).versions[0];
    expect(version.runtime).toBe('llama');
    expect(version.model_card.format).toBe('gguf');
    expect(version.model_card.architecture).toBe('llama');
    expect(version.model_card.llama).toEqual({ context_size: 512, parallel_sequences: 2 });
  });

  it('registers an embedding model', async () => {
    const result = await runCli(
      ['models', 'import', file, '--name', 'tiny-embed', '--task', 'feature-extraction'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('(feature-extraction, GGUF file)');
  });

  it('rejects another task, a bad option and a file that is not GGUF', async () => {
    const task = await runCli(
      ['models', 'import', file, '--name', 'x', '--task', 'fill-mask'],
      env,
    );
    expect(task.code).toBe(2);
    expect(task.stderr).toContain('MAAS_ERR_TASK_UNSUPPORTED');

    const parallel = await runCli(
      ['models', 'import', file, '--name', 'x', '--parallel', '0'],
      env,
    );
    expect(parallel.code).toBe(2);
    expect(parallel.stderr).toContain('--parallel must be an integer of at least 1');

    const fake = join(root, 'fake.gguf');
    await writeFile(fake, 'not a model');
    const invalid = await runCli(['models', 'import', fake, '--name', 'x'], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('MAAS_ERR_ARTIFACT_INVALID');
  });
});
