import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';
import { synthesizeSrlSentences, toConllu } from '../helpers/srl-fixture.js';

let root: string;
let file: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await makeTempDir('cli-srl');
  file = join(root, 'roles.conllu');
  await writeFile(file, toConllu(synthesizeSrlSentences(140, 5)));
  env = { MAAS_DATA_DIR: join(root, 'data'), MAAS_SERVING_REGISTER_BUNDLED: 'false' };
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

describe('maas train --task semantic-role-labeling', () => {
  // One CLI run may take 60 s, so the tagger here is small and trains few epochs.
  it('trains, evaluates and predicts', async () => {
    const trained = await runCli(
      [
        'train',
        file,
        '--task',
        'semantic-role-labeling',
        '--name',
        'srl-cli',
        '--test-split',
        '0.2',
        '--epochs',
        '8',
        '--embedding-dim',
        '16',
        '--units',
        '16',
        '--lstm-layers',
        '1',
        '--min-count',
        '1',
        '--learning-rate',
        '0.01',
        '--batch-size',
        '16',
      ],
      env,
    );

    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain('registered srl-cli@1');
    expect(trained.stdout).toMatch(/held-out test\npredicates\s+\d+/);

    const evaluated = await runCli(['eval', 'srl-cli', file, '--test-split', '0.2', '--json'], env);
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout) as { overall: { f1: number; support: number } };
    expect(report.overall.support).toBeGreaterThan(0);
    expect(report.overall.f1).toBeGreaterThan(0.7);
    expect(evaluated.stderr).toBe('');

    // Another fraction of the training file includes training sentences, so eval warns.
    const overlapping = await runCli(['eval', 'srl-cli', file, '--test-split', '0.5'], env);
    expect(overlapping.code).toBe(0);
    expect(overlapping.stderr).toContain('with --test-split 0.5 the rows include training rows');

    const predicted = await runCli(
      ['predict', 'srl-cli', 'Anna chased the dog yesterday', '--predicate-index', '1'],
      env,
    );
    expect(predicted.code).toBe(0);
    const frames = JSON.parse(predicted.stdout) as { predicate: { word: string } }[];
    expect(frames[0]?.predicate.word).toBe('chased');
  }, 180_000);

  it('rejects another architecture', async () => {
    const result = await runCli(
      ['train', file, '--task', 'semantic-role-labeling', '--name', 'x', '--architecture', 'lstm'],
      env,
    );

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('does not train semantic-role-labeling');
  });

  it('rejects flags of other tasks', async () => {
    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'semantic-role-labeling',
        '--name',
        'x',
        '--word-ngrams',
        '2',
        '--unit',
        'word',
      ],
      env,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--word-ngrams, --unit do not apply to --task semantic-role-labeling',
    );
  });

  it('requires a predicate to predict', async () => {
    const result = await runCli(['predict', 'srl-cli', 'Anna chased the dog'], env);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--predicate-index');
  });
});
