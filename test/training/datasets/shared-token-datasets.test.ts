import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { parseConllText } from '../../../src/training/datasets/conll.js';
import { parseSemanticRoleText } from '../../../src/training/datasets/conllu-srl.js';
import { readUtf8File } from '../../../src/training/datasets/index.js';
import { parsePlainText } from '../../../src/training/datasets/plain-text.js';
import { catchMaasError } from './helpers.js';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const datasetsFolder = resolve(projectRoot, '../shared/datasets');
const available = existsSync(datasetsFolder);

if (!available) {
  console.warn(`Skipping the shared token dataset tests: ${datasetsFolder} does not exist.`);
}

function read(file: string): Promise<string> {
  return readUtf8File(join(datasetsFolder, file));
}

describe.skipIf(!available)('shared token and text datasets', () => {
  it('reads CoNLL-2003 with the tag in the last of 4 columns', async () => {
    const dataset = parseConllText(await read('conll2003/train.txt'));
    expect(dataset.stats.sentences).toBe(14_041);
    expect(dataset.stats.entityCounts).toEqual({ LOC: 7140, MISC: 3438, ORG: 6321, PER: 6600 });
    expect(dataset.sentences[0]?.tokens.slice(0, 3)).toEqual(['EU', 'rejects', 'German']);
  });

  it('reports the I- tags of MSRA NER that start a sentence', async () => {
    const text = await read('msra_ner/train.txt');
    const error = catchMaasError(() => parseConllText(text));
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['count']).toBe(14);
    expect(error.details?.['lines']).toContain(14_739);
  });

  it('repairs MSRA NER into 50,289 sentences', async () => {
    const dataset = parseConllText(await read('msra_ner/train.txt'), { repairTags: true });
    expect(dataset.stats.sentences).toBe(50_289);
    expect(dataset.stats.repairedTags).toBe(14);
    expect(dataset.tags).toEqual(['B-LOC', 'B-ORG', 'B-PER', 'I-LOC', 'I-ORG', 'I-PER', 'O']);
    expect(dataset.stats.languageHint).toBe('zh');
  });

  it('reads English Universal Propositions', async () => {
    const dataset = parseSemanticRoleText(await read('srl_ewt/en_ewt-up-dev.conllu'));
    expect(dataset.stats.sentences).toBe(2002);
    expect(dataset.stats.senseColumn).toBe(10);
    expect(dataset.stats.instances).toBe(4977);
    expect(dataset.instances[0]?.sense).toBe('come.03');
    expect(dataset.instances[0]?.labels).toEqual(['O', 'O', 'ARG2', 'V', 'O', 'ARG1', 'O']);
  });

  it('reads Chinese Universal Propositions', async () => {
    const dataset = parseSemanticRoleText(await read('srl_zh/zh-up-dev.conllu'));
    expect(dataset.stats.sentences).toBe(500);
    expect(dataset.stats.senseColumn).toBe(9);
    expect(dataset.stats.instances).toBe(1257);
  });

  it('reads tiny-shakespeare as plain text', async () => {
    const dataset = parsePlainText(await read('tinyshakespeare/train.txt'));
    expect(dataset.stats.distinctCharacters).toBe(65);
    expect(dataset.stats.languageHint).toBe('en');
  });
});
