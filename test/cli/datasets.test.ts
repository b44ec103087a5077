import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

const CONLL = '北\tB-LOC\n京\tI-LOC\n\n好\tO\n';

let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await makeTempDir('cli-datasets');
  env = {
    MAAS_DATA_DIR: await mkdtemp(join(root, 'data-')),
    MAAS_MODELS_DIR: await mkdtemp(join(root, 'models-')),
  };
});

afterAll(async () => {
  await removeTempDir(root);
});

describe('maas datasets', () => {
  it('adds, lists, shows and removes a dataset', async () => {
    const file = join(root, 'ner.txt');
    await writeFile(file, CONLL);

    const added = await runCli(['datasets', 'add', file, '--format', 'conll'], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = /stored dataset ([0-9a-f]{64})/.exec(added.stdout)?.[1] as string;
    expect(id).toBeDefined();
    expect(added.stdout).toContain('"sentences": 2');
    expect(added.stdout).toContain('"tag_counts"');

    const again = await runCli(['datasets', 'add', file, '--format', 'conll'], env);
    expect(again.stdout).toContain(`already stored as dataset ${id}`);

    const listed = await runCli(['datasets', 'list', '--json'], env);
    const list = JSON.parse(listed.stdout) as { id: string; kind: string }[];
    expect(list.map((dataset) => dataset.id)).toEqual([id]);
    expect(list[0]?.kind).toBe('token-classification');

    const shown = await runCli(['datasets', 'show', id.slice(0, 12)], env);
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { id: string }).id).toBe(id);

    const short = await runCli(['datasets', 'show', id.slice(0, 5)], env);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('at least its first 6 characters');

    const removed = await runCli(['datasets', 'rm', id], env);
    expect(removed.stdout).toContain(`deleted dataset ${id}`);
    const after = await runCli(['datasets', 'list', '--json'], env);
    expect(JSON.parse(after.stdout)).toEqual([]);
  });

  it('prints the invalid lines and exits 2', async () => {
    const file = join(root, 'bad.conll');
    await writeFile(file, 'a\tO\nb\tI-PER\n');
    const result = await runCli(['datasets', 'add', file], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_DATASET_INVALID');
    expect(result.stderr).toContain('line 2: tag I-PER after O');
  });
});
