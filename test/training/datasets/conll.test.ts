import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { MaasError } from '../../../src/errors/index.js';
import { parseConllText } from '../../../src/training/datasets/conll.js';
import { catchMaasError, createTempFolder, type TempFolder } from './helpers.js';

let folder: TempFolder;

beforeAll(async () => {
  folder = await createTempFolder();
});

afterAll(async () => {
  await folder.remove();
});

/** Writes `content` to a file, as an upload would store it, and parses the file's text. */
async function parseFile(
  name: string,
  content: string,
  options: Parameters<typeof parseConllText>[1] = {},
): Promise<ReturnType<typeof parseConllText>> {
  const path = await folder.write(name, content);
  return parseConllText(await readFile(path, 'utf8'), options);
}

async function errorOf(name: string, content: string, options = {}): Promise<MaasError> {
  const path = await folder.write(name, content);
  const text = await readFile(path, 'utf8');
  return catchMaasError(() => parseConllText(text, options));
}

describe('parseConllText', () => {
  it('reads tab-separated characters and tags', async () => {
    const dataset = await parseFile('msra.txt', '北\tB-LOC\n京\tI-LOC\n好\tO\n\n我\tO\n');
    expect(dataset.sentences).toEqual([
      { tokens: ['北', '京', '好'], tags: ['B-LOC', 'I-LOC', 'O'], line: 1 },
      { tokens: ['我'], tags: ['O'], line: 5 },
    ]);
    expect(dataset.tags).toEqual(['B-LOC', 'I-LOC', 'O']);
    expect(dataset.stats.entityCounts).toEqual({ LOC: 1 });
    expect(dataset.stats.languageHint).toBe('zh');
  });

  it('reads space-separated columns with the tag last', async () => {
    const dataset = await parseFile(
      'conll2003.txt',
      'EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n',
    );
    expect(dataset.sentences[0]?.tokens).toEqual(['EU', 'rejects', 'German']);
    expect(dataset.sentences[0]?.tags).toEqual(['B-ORG', 'O', 'B-MISC']);
  });

  it('takes the token and tag columns given', async () => {
    const dataset = await parseFile('columns.txt', 'x EU B-ORG O\ny Paris B-LOC O\n', {
      tokenColumn: 1,
      tagColumn: 2,
    });
    expect(dataset.sentences[0]?.tokens).toEqual(['EU', 'Paris']);
    expect(dataset.sentences[0]?.tags).toEqual(['B-ORG', 'B-LOC']);
  });

  it('treats -DOCSTART- as a document boundary', async () => {
    const text = '-DOCSTART- -X- O O\n\nEU B-ORG\n\n-DOCSTART- -X- O O\n\nParis B-LOC\nis O\n';
    const dataset = await parseFile('docs.txt', text);
    expect(dataset.stats.sentences).toBe(2);
    expect(dataset.stats.documents).toBe(2);
    expect(dataset.sentences.map((sentence) => sentence.line)).toEqual([3, 7]);
  });

  it('ends sentences at CRLF blank and whitespace-only lines', async () => {
    const dataset = await parseFile('crlf.txt', 'a\tO\r\nb\tO\r\n\r\nc\tO\r\n \t \r\nd\tO\r\n');
    expect(dataset.sentences.map((sentence) => sentence.tokens)).toEqual([
      ['a', 'b'],
      ['c'],
      ['d'],
    ]);
    expect(dataset.sentences.map((sentence) => sentence.line)).toEqual([1, 4, 6]);
  });

  it('counts the last sentence without a trailing blank line', async () => {
    const without = await parseFile('no-blank.txt', 'a\tO\n\nb\tO');
    const withBlank = await parseFile('blank.txt', 'a\tO\n\nb\tO\n\n\n');
    expect(without.stats.sentences).toBe(2);
    expect(withBlank.stats.sentences).toBe(2);
  });

  it.each([
    ['at sentence start', 'a\tI-PER\n', 1, 'at the start of a sentence'],
    ['after O', 'a\tO\nb\tI-PER\n', 2, 'after O'],
    ['after B of another type', 'a\tB-LOC\nb\tI-PER\n', 2, 'after B-LOC'],
    ['after I of another type', 'a\tB-LOC\nb\tI-LOC\nc\tI-PER\n', 3, 'after I-LOC'],
  ])('reports I-X %s with its line', async (_case, text, line, where) => {
    const error = await errorOf('bio.txt', `x\tO\n\n${text}`);
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['lines']).toEqual([line + 2]);
    expect(error.message).toContain(where);
    expect(error.message).toContain('B-PER');
  });

  it.each([
    ['IOBES end', 'E-ORG', 'convert IOBES or BILOU tags'],
    ['IOBES single', 'S-PER', 'convert IOBES or BILOU tags'],
    ['lower-case O', 'o', 'write O, B and I in upper case'],
    ['lower-case B', 'b-per', 'write O, B and I in upper case'],
    ['bare type', 'PER', 'B- or I- before the entity type'],
    ['prefix without type', 'B-', 'B- or I- before the entity type'],
  ])('rejects %s tag with its line', async (_case, tag, fix) => {
    const error = await errorOf('iob2.txt', `x\tO\n\na\tB-ORG\nb\t${tag}\nc\tO\n`);
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['lines']).toEqual([4]);
    expect(error.message).toContain(`line 4: tag ${JSON.stringify(tag)} is invalid`);
    expect(error.message).toContain('tags must be O, B-TYPE or I-TYPE (IOB2)');
    expect(error.message).toContain(fix);
  });

  it('rejects non-IOB2 tags despite repair_tags', async () => {
    const error = await errorOf('iobes.txt', 'a\tB-ORG\nb\tE-ORG\nc\tS-PER\n', {
      repairTags: true,
    });
    expect(error.details?.['lines']).toEqual([2, 3]);
  });

  it('blames no I-X after a non-IOB2 tag', async () => {
    const error = await errorOf('after-invalid.txt', 'a\tS-PER\nb\tI-PER\n');
    expect(error.details?.['lines']).toEqual([1]);
  });

  it('repairs I-X to B-X when asked', async () => {
    const dataset = await parseFile('repair.txt', 'a\tI-PER\nb\tI-PER\nc\tO\nd\tI-LOC\n', {
      repairTags: true,
    });
    expect(dataset.sentences[0]?.tags).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC']);
    expect(dataset.stats.repairedTags).toBe(2);
    expect(dataset.stats.entityCounts).toEqual({ LOC: 1, PER: 1 });
  });

  it('accepts I-X after B-X and I-X', async () => {
    const dataset = await parseFile('valid.txt', 'a\tB-PER\nb\tI-PER\nc\tI-PER\n');
    expect(dataset.stats.repairedTags).toBe(0);
    expect(dataset.stats.tagCounts).toEqual({ 'B-PER': 1, 'I-PER': 2 });
  });

  it('reports a column count change with its line', async () => {
    const error = await errorOf('columns-bad.txt', 'a NN O\nb O\nc NN O\n');
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain('expected 3 columns, found 2');
  });

  it('reports a missing tag column with its line', async () => {
    const error = await errorOf('tag-column.txt', 'a O\nb O\n', { tagColumn: 4 });
    expect(error.details?.['lines']).toEqual([1, 2]);
  });

  it('rejects a file of tokens without tags', async () => {
    const error = await errorOf('one-column.txt', '张\n伟\n\n在\n');
    expect(error.details?.['lines']).toEqual([1, 2, 4]);
    expect(error.message).toContain('expected a token and its tag, found 1 column');
  });

  it('blames only a first line without its tag', async () => {
    const error = await errorOf('first-untagged.txt', 'EU\nrejects O\n');
    expect(error.details?.['lines']).toEqual([1]);
    expect(error.message).toContain('line 1: expected a token and its tag, found 1 column');
    expect(error.message).not.toContain('line 2');
  });

  it('counts columns from the first tagged line', async () => {
    const error = await errorOf('later-count.txt', 'EU\nrejects VBZ O\nGerman JJ B-MISC\ncall O\n');
    expect(error.details?.['lines']).toEqual([1, 4]);
    expect(error.message).toContain('line 4: expected 3 columns, found 2');
  });

  it('rejects the same token and tag column', async () => {
    const error = await errorOf('same-column.txt', 'a NN O\n', { tokenColumn: 2, tagColumn: 2 });
    expect(error.message).toContain('token_column and tag_column are both 2');
  });

  it('reports an empty tag with its line', async () => {
    const error = await errorOf('empty-tag.txt', 'a\tO\nb\t\n');
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain('tag is empty');
  });

  it('reports NUL in a token or tag', async () => {
    const error = await errorOf('nul.txt', 'EU\tB-ORG\nre\u0000jects\tO\n\nPeter\tB-PER\u0000\n');
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['lines']).toEqual([2, 4]);
    expect(error.message).toContain('line 2: token contains a NUL character (U+0000)');
    expect(error.message).toContain('line 4: tag contains a NUL character (U+0000)');
  });

  it('rejects a file without tokens', async () => {
    const error = await errorOf('empty.txt', '\n\n-DOCSTART- -X- O O\n\n');
    expect(error.code).toBe('MAAS_ERR_DATASET_EMPTY');
  });

  it('rejects a negative column', async () => {
    const error = await errorOf('negative.txt', 'a O\n', { tokenColumn: -1 });
    expect(error.code).toBe('MAAS_ERR_REQUEST_INVALID');
    expect(error.param).toBe('token_column');
  });

  it('keeps emoji and spaces inside a tab-separated token', async () => {
    const dataset = await parseFile('emoji.txt', '😀\tO\nNew York\tB-LOC\n');
    expect(dataset.sentences[0]?.tokens).toEqual(['😀', 'New York']);
  });

  it('computes sentence length percentiles', async () => {
    const sentences = [1, 2, 3, 4].map((length) => 'a\tO\n'.repeat(length)).join('\n');
    const dataset = await parseFile('lengths.txt', sentences);
    expect(dataset.stats.tokens).toBe(10);
    expect(dataset.stats.sentenceLength).toMatchObject({ min: 1, p50: 2, max: 4, mean: 2.5 });
  });
});
