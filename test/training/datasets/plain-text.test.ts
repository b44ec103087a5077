import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parsePlainText } from '../../../src/training/datasets/plain-text.js';
import { catchMaasError, createTempFolder, type TempFolder } from './helpers.js';

let folder: TempFolder;

beforeAll(async () => {
  folder = await createTempFolder();
});

afterAll(async () => {
  await folder.remove();
});

async function readText(name: string, content: string): Promise<string> {
  return readFile(await folder.write(name, content), 'utf8');
}

describe('parsePlainText', () => {
  it('counts characters and lines', async () => {
    const dataset = parsePlainText(await readText('a.txt', 'To be,\nor not 😀\n\n你好\n'));
    expect(dataset.stats.characters).toBe(20);
    expect(dataset.stats.lines).toBe(4);
    expect(dataset.stats.nonBlankLines).toBe(3);
    expect(dataset.stats.lineLength).toMatchObject({ min: 2, max: 8 });
    expect(dataset.stats.distinctCharacters).toBe(13);
  });

  it('counts CRLF lines', async () => {
    const dataset = parsePlainText(await readText('crlf.txt', 'a\r\nb\r\nc'));
    expect(dataset.stats.lines).toBe(3);
  });

  it('reports NUL characters with their line', async () => {
    const text = await readText('nul.txt', 'fine\nbad\0line\n');
    const error = catchMaasError(() => parsePlainText(text));
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['lines']).toEqual([2]);
  });

  it.each([
    ['empty', ''],
    ['whitespace', ' \n\t\n'],
  ])('rejects %s text', async (_case, content) => {
    const text = await readText('empty.txt', content);
    expect(catchMaasError(() => parsePlainText(text)).code).toBe('MAAS_ERR_DATASET_EMPTY');
  });

  it('hints English for English prose', async () => {
    const dataset = parsePlainText(await readText('en.txt', 'It is the cause of the war.\n'));
    expect(dataset.stats.languageHint).toBe('en');
  });
});
