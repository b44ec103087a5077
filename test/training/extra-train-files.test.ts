import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExtraTrainFiles } from '../../src/training/extra-train-files.js';

describe('readExtraTrainFiles', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'maas-extra-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const main = [
    { text: '房间很干净，服务也很好', label: 'positive' },
    { text: '太吵了，再也不来', label: 'negative' },
  ];

  it('drops rows that repeat main rows', async () => {
    const file = join(dir, 'extra.csv');
    await writeFile(file, 'label,review\n1,房间很干净， 服务也很好\n0,外卖送得太慢\n1,味道不错\n');
    const { rows, summaries } = await readExtraTrainFiles([file], main, ['negative', 'positive'], {
      labelNames: { '0': 'negative', '1': 'positive' },
    });
    expect(rows).toEqual([
      { text: '外卖送得太慢', label: 'negative' },
      { text: '味道不错', label: 'positive' },
    ]);
    expect(summaries[0]?.rows).toBe(3);
    expect(summaries[0]?.duplicates_dropped).toBe(1);
    expect(summaries[0]?.rows_used).toBe(2);
    expect(summaries[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects labels the main file lacks', async () => {
    const file = join(dir, 'neutral.csv');
    await writeFile(file, 'label,review\nneutral,还行吧\n');
    await expect(
      readExtraTrainFiles([file], main, ['negative', 'positive'], {}),
    ).rejects.toMatchObject({
      code: 'MAAS_ERR_TRAINING_INVALID',
      message: expect.stringContaining('neutral'),
    });
  });

  it('drops near copies of main rows, including held-out ones', async () => {
    const file = join(dir, 'near.csv');
    await writeFile(
      file,
      [
        'label,review',
        // The main row with other punctuation, a changed dash and a cut end.
        '1,"房间很干净,服务也很好——"',
        '0,房间很干净',
        '0,外卖送得太慢了，汤也洒了',
      ].join('\n'),
    );
    const { rows, summaries } = await readExtraTrainFiles(
      [file],
      [{ text: '房间很干净——服务也很好！下次还住', label: 'positive' }],
      ['negative', 'positive'],
      { labelNames: { '0': 'negative', '1': 'positive' } },
    );
    expect(rows).toEqual([{ text: '外卖送得太慢了，汤也洒了', label: 'negative' }]);
    expect(summaries[0]?.duplicates_dropped).toBe(2);
  });
});
