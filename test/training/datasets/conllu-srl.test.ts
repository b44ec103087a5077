import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { MaasError } from '../../../src/errors/index.js';
import { parseSemanticRoleText } from '../../../src/training/datasets/conllu-srl.js';
import { catchMaasError, createTempFolder, type TempFolder } from './helpers.js';

let folder: TempFolder;

beforeAll(async () => {
  folder = await createTempFolder();
});

afterAll(async () => {
  await folder.remove();
});

/** Builds a CoNLL-U token line: ten CoNLL-U columns, then the sense and argument columns. */
function token(id: number | string, form: string, sense: string, ...args: string[]): string {
  return [id, form, form.toLowerCase(), 'X', 'X', '_', '0', 'dep', '_', '_', sense, ...args].join(
    '\t',
  );
}

async function readText(name: string, lines: string[]): Promise<string> {
  const path = await folder.write(name, lines.join('\n') + '\n');
  return readFile(path, 'utf8');
}

async function errorOf(name: string, lines: string[], options = {}): Promise<MaasError> {
  const text = await readText(name, lines);
  return catchMaasError(() => parseSemanticRoleText(text, options));
}

const TWO_PREDICATES = [
  '# sent_id = 1',
  '# text = Bush nominated Anderson to replace Graae',
  token(1, 'Bush', '_', 'ARG0', '_'),
  token(2, 'nominated', 'nominate.01', 'V', '_'),
  token(3, 'Anderson', '_', 'ARG1', 'ARG0'),
  token(4, 'to', '_', '_', '_'),
  token(5, 'replace', 'replace.01', 'ARG2', 'V'),
  token(6, 'Graae', '_', '_', 'ARG1'),
];

describe('parseSemanticRoleText', () => {
  it('gives one instance per predicate', async () => {
    const dataset = parseSemanticRoleText(await readText('two.conllu', TWO_PREDICATES));
    expect(dataset.instances).toHaveLength(2);
    expect(dataset.instances[0]).toEqual({
      tokens: ['Bush', 'nominated', 'Anderson', 'to', 'replace', 'Graae'],
      predicateIndex: 1,
      sense: 'nominate.01',
      labels: ['ARG0', 'V', 'ARG1', 'O', 'ARG2', 'O'],
      line: 4,
    });
    expect(dataset.instances[1]?.predicateIndex).toBe(4);
    expect(dataset.instances[1]?.labels).toEqual(['O', 'O', 'ARG0', 'O', 'V', 'ARG1']);
    expect(dataset.stats.roleCounts).toEqual({ ARG0: 2, ARG1: 2, ARG2: 1 });
    expect(dataset.stats.senseColumn).toBe(10);
    expect(dataset.stats.lastPredicateToken).toBe(5);
  });

  it('skips multiword tokens and empty nodes', async () => {
    const lines = [
      token(1, 'Bush', '_', 'ARG0'),
      "2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_",
      token(2, 'ca', '_', 'ARGM-MOD'),
      token(3, 'go', 'go.01', 'V'),
      '3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t3:conj\tCopyOf=3\t\t',
    ];
    const dataset = parseSemanticRoleText(await readText('multiword.conllu', lines));
    expect(dataset.instances[0]?.tokens).toEqual(['Bush', 'ca', 'go']);
    expect(dataset.instances[0]?.labels).toEqual(['ARG0', 'ARGM-MOD', 'V']);
  });

  it('detects the Chinese layout with the sense in column 9', async () => {
    const line = (id: number, form: string, flag: string, sense: string, arg: string): string =>
      [id, form, form, 'X', 'X', '_', '0', 'dep', flag, sense, arg].join('\t');
    const lines = [line(1, '結果', '_', '_', 'A0'), line(2, '看', 'Y', 'look.01', 'V')];
    const dataset = parseSemanticRoleText(await readText('zh.conllu', lines));
    expect(dataset.stats.senseColumn).toBe(9);
    expect(dataset.instances[0]?.labels).toEqual(['A0', 'V']);
    expect(dataset.stats.languageHint).toBe('zh');
  });

  it('gives no instance for a sentence without predicates', async () => {
    const lines = [token(1, 'Hello', '_', '_'), '', ...TWO_PREDICATES];
    const dataset = parseSemanticRoleText(await readText('none.conllu', lines));
    expect(dataset.stats.sentences).toBe(2);
    expect(dataset.stats.sentencesWithoutPredicate).toBe(1);
    expect(dataset.stats.instances).toBe(2);
  });

  it('reports an argument column count mismatch at the sentence line', async () => {
    const lines = [
      '# sent_id = 1',
      token(1, 'Bush', '_', 'ARG0'),
      token(2, 'nominated', 'nominate.01', 'V'),
      token(3, 'replace', 'replace.01', 'ARG1'),
    ];
    const error = await errorOf('mismatch.conllu', lines, { senseColumn: 10 });
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain('2 predicate(s) in column 10 but 1 argument column(s)');
  });

  it('reports a line with another column count', async () => {
    const lines = [token(1, 'Bush', '_', 'ARG0'), token(2, 'ran', 'run.01', 'V', '_')];
    const error = await errorOf('ragged.conllu', lines, { senseColumn: 10 });
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain('expected 12 columns as on line 1, found 13');
  });

  it('reports malformed lines', async () => {
    const lines = [
      token(1, 'Bush', '_', 'ARG0'),
      'not a token line',
      token(5, 'ran', 'run.01', 'V'),
      '',
      token(1, '', 'run.01', 'V'),
    ];
    const error = await errorOf('malformed.conllu', lines, { senseColumn: 10 });
    expect(error.details?.['lines']).toEqual([2, 3, 5]);
    expect(error.message).toContain('line 2: expected tab-separated CoNLL-U columns');
    expect(error.message).toContain('line 3: expected token ID 3, found "5"');
    expect(error.message).toContain('line 5: form (column 1) is empty');
  });

  it('reports NUL in a form with its line', async () => {
    const lines = [token(1, 'Bush', '_', '_'), token(2, 'ra\u0000n', 'run.01', 'V')];
    const error = await errorOf('nul-form.conllu', lines);
    expect(error.code).toBe('MAAS_ERR_DATASET_INVALID');
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain('line 2: form (column 1) contains a NUL character (U+0000)');
  });

  it('reports NUL in an argument column', async () => {
    const lines = [token(1, 'Bush', '_', 'ARG\u00000'), token(2, 'ran', 'run.01', 'V')];
    const error = await errorOf('nul-argument.conllu', lines, { senseColumn: 10 });
    expect(error.details?.['lines']).toEqual([1]);
    expect(error.message).toContain('line 1: column 11 contains a NUL character');
  });

  it('reports a sense column past the last column', async () => {
    const error = await errorOf('short.conllu', [token(1, 'Bush', '_')], { senseColumn: 14 });
    expect(error.details?.['lines']).toEqual([1]);
  });

  it('accepts CRLF and a last sentence without a blank line', async () => {
    const path = await folder.write('crlf.conllu', TWO_PREDICATES.join('\r\n'));
    const dataset = parseSemanticRoleText(await readFile(path, 'utf8'));
    expect(dataset.stats.instances).toBe(2);
  });

  it('rejects a file with only comments', async () => {
    const error = await errorOf('comments.conllu', ['# sent_id = 1', '']);
    expect(error.code).toBe('MAAS_ERR_DATASET_EMPTY');
  });
});
