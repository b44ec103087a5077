import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { readTaggerFile } from '../../src/tasks/tagger-file.js';

const BASE = {
  format: 'nlp-maas/tagger',
  format_version: 1,
  unit: 'word',
  max_length: 200,
  vocabulary: ['[PAD]', '[UNK]', 'the'],
  tags: ['O', 'B-PER', 'I-PER'],
  crf: null,
};
const FEATURES = { ngram_min: 2, ngram_max: 4, buckets: 100, max_ngrams: 16 };

describe('readTaggerFile word_features', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maas-tagger-file-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(value: unknown): void {
    writeFileSync(join(dir, 'tagger.json'), JSON.stringify(value));
  }

  it('reads a file without them', async () => {
    write(BASE);

    const file = await readTaggerFile(dir);

    expect(file.word_features).toBeUndefined();
  });

  it('reads valid features', async () => {
    write({ ...BASE, word_features: FEATURES });

    const file = await readTaggerFile(dir);

    expect(file.word_features).toEqual(FEATURES);
  });

  it.each([
    ['a number', 3],
    ['zero buckets', { ...FEATURES, buckets: 0 }],
    ['min above max', { ...FEATURES, ngram_min: 5 }],
    ['a missing field', { ngram_min: 2, ngram_max: 4, buckets: 100 }],
  ])('rejects %s', async (_, value) => {
    write({ ...BASE, word_features: value });

    const error = await readTaggerFile(dir).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MaasError);
    expect((error as MaasError).code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect((error as MaasError).message).toContain('word_features must be');
  });

  it('rejects features on a character unit', async () => {
    write({ ...BASE, unit: 'character', word_features: FEATURES });

    const error = await readTaggerFile(dir).catch((caught: unknown) => caught);

    expect((error as MaasError).code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect((error as MaasError).message).toContain('unit must be word');
  });
});
