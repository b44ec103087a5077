import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  readClassificationFile,
  type ClassificationReadOptions,
} from '../../../src/training/datasets/index.js';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const datasetsFolder = resolve(projectRoot, '../shared/datasets');
const available = existsSync(datasetsFolder);

if (!available) {
  console.warn(`Skipping the shared dataset tests: ${datasetsFolder} does not exist.`);
}

interface Case {
  file: string;
  options: ClassificationReadOptions;
  rows: number;
  labelCounts: Record<string, number>;
}

const cases: Case[] = [
  {
    file: 'chnsenticorp/train.csv',
    options: {},
    rows: 6_265,
    labelCounts: { '0': 1_971, '1': 4_294 },
  },
  {
    file: 'waimai10k/waimai_10k.csv',
    options: {},
    rows: 11_987,
    labelCounts: { '0': 7_987, '1': 4_000 },
  },
  {
    file: 'sst2/train.tsv',
    options: {},
    rows: 60_614,
    labelCounts: { '0': 26_786, '1': 33_828 },
  },
  {
    // The file has 10,001 lines, each a text and a label, and no header row.
    file: 'agnews/train.tsv',
    options: { header: false, textColumn: 0, labelColumn: 1 },
    rows: 10_001,
    labelCounts: { Business: 2_496, 'Sci/Tech': 2_538, Sports: 2_458, World: 2_509 },
  },
];

describe.skipIf(!available)('shared classification datasets', () => {
  it.each(cases)('reads $file', async ({ file, options, rows, labelCounts }) => {
    const dataset = await readClassificationFile(join(datasetsFolder, file), options);
    expect(dataset.examples).toHaveLength(rows);
    expect(dataset.stats.rows).toBe(rows);
    expect(dataset.stats.labelCounts).toEqual(labelCounts);
    expect(dataset.labels).toEqual(Object.keys(labelCounts).sort());
  });

  it('reads SST-2 text unchanged', async () => {
    const dataset = await readClassificationFile(join(datasetsFolder, 'sst2/train.tsv'));
    expect(dataset.examples[0]).toEqual({ text: 'when are bears bears and ', label: '1', line: 2 });
  });
});
