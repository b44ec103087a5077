import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { synthesizeEnglishNerSentences } from '../helpers/english-ner-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

let root: string;
let file: string;

beforeAll(async () => {
  root = await makeTempDir('cli-word-tagger');
  file = join(root, 'ner-en.conll');
  // `token POS chunk tag`, space-separated, as CoNLL-2003 lays out its English files.
  const lines = synthesizeEnglishNerSentences(200, 4).flatMap((sentence) => [
    ...sentence.tokens.map((token, index) => `${token} NN I-NP ${sentence.tags[index]}`),
    '',
  ]);
  await writeFile(file, lines.join('\n'));
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

const SMALL = [
  '--tag-column',
  '3',
  '--epochs',
  '2',
  '--embedding-dim',
  '16',
  '--units',
  '16',
  '--learning-rate',
  '0.01',
  '--batch-size',
  '16',
];

async function readTaggerJson(dataDir: string, name: string): Promise<Record<string, unknown>> {
  const path = join(dataDir, 'artifacts', 'models', name, '1', 'tagger.json');
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

describe('maas train of an English CoNLL file', () => {
  it('trains a word tagger with character features', async () => {
    const dataDir = join(root, 'data');
    const env = { MAAS_DATA_DIR: dataDir, MAAS_SERVING_REGISTER_BUNDLED: 'false' };

    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'token-classification',
        '--name',
        'ner-en-cli',
        ...SMALL,
        '--ngram-buckets',
        '500',
        '--max-ngrams',
        '8',
        '--ngram-embedding-dim',
        '8',
        '--shape-embedding-dim',
        '4',
      ],
      env,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tagger = await readTaggerJson(dataDir, 'ner-en-cli');
    expect(tagger['unit']).toBe('word');
    expect(tagger['word_features']).toEqual({
      ngram_min: 2,
      ngram_max: 4,
      buckets: 500,
      max_ngrams: 8,
    });
    const predicted = await runCli(
      ['predict', 'ner-en-cli', 'Karo Vintel visited Brineburg .'],
      env,
    );
    expect(predicted.code).toBe(0);
    const [entities] = JSON.parse(predicted.stdout) as {
      entity_group: string;
      word: string;
      start: number;
      end: number;
    }[][];
    for (const entity of entities ?? []) {
      expect(['PER', 'LOC', 'ORG', 'MISC']).toContain(entity.entity_group);
      expect('Karo Vintel visited Brineburg .'.slice(entity.start, entity.end)).toBe(entity.word);
    }
  }, 180_000);

  it('trains plain word ids without character features', async () => {
    const dataDir = join(root, 'data-2');
    const env = { MAAS_DATA_DIR: dataDir, MAAS_SERVING_REGISTER_BUNDLED: 'false' };

    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'token-classification',
        '--name',
        'ner-en-plain',
        ...SMALL,
        '--no-character-features',
      ],
      env,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tagger = await readTaggerJson(dataDir, 'ner-en-plain');
    expect(tagger['unit']).toBe('word');
    expect(tagger['word_features']).toBeUndefined();
    // Without features the vocabulary keeps case, as plain word taggers always did.
    expect(tagger['vocabulary']).toContain('Shares');
  }, 180_000);
});
