import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';

const bundledModel = fileURLToPath(new URL('../../models/sentiment-en', import.meta.url));

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'maas-bundled-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Opens a context on `dataDir` with `modelsDir` as the bundled folder and returns its log lines. */
async function openAndClose(
  dataDir: string,
  modelsDir: string,
): Promise<{ lines: Record<string, unknown>[]; production: number; bundled: string[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const { settings } = loadConfig({
    env: {},
    flags: { data_dir: dataDir, models_dir: modelsDir },
  });
  const context = await openContext(settings, pino({ level: 'info' }, sink));
  try {
    const production = (await context.registry.resolve('sentiment-en')).version;
    return { lines, production, bundled: context.bundled };
  } finally {
    await context.close();
  }
}

describe('bundled models', () => {
  it('warns when changed files leave production behind', async () => {
    const dataDir = join(root, 'data');
    const modelsDir = join(root, 'models');
    await cp(bundledModel, join(modelsDir, 'sentiment-en'), { recursive: true });

    const first = await openAndClose(dataDir, modelsDir);
    expect(first.bundled).toEqual(['sentiment-en@1']);
    expect(first.production).toBe(1);

    // A retrained or upgraded bundle has other files, so it becomes a new version.
    const readme = join(modelsDir, 'sentiment-en', 'README.md');
    await writeFile(readme, `${await readFile(readme, 'utf8')}\nRetrained.\n`);
    const second = await openAndClose(dataDir, modelsDir);

    expect(second.bundled).toEqual(['sentiment-en@2']);
    expect(second.production).toBe(1);
    const warning = second.lines.find((line) => line['level'] === 40);
    expect(warning?.['msg']).toContain('maas models alias sentiment-en production 2');
    expect(first.lines.some((line) => line['level'] === 40)).toBe(false);
  });
});
