import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.js';
import { synthesizeNerSentences } from '../helpers/ner-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

let root: string;
let file: string;

beforeAll(async () => {
  root = await makeTempDir('cli-tagger');
  file = join(root, 'ner.conll');
  // One character and its tag per line, a blank line after each sentence, as MSRA NER is laid out.
  const lines = synthesizeNerSentences(200, 4).flatMap((sentence) => [
    ...sentence.tokens.map((token, index) => `${token}\t${sentence.tags[index]}`),
    '',
  ]);
  await writeFile(file, lines.join('\n'));
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

const SMALL = [
  '--epochs',
  '4',
  '--embedding-dim',
  '16',
  '--units',
  '16',
  '--learning-rate',
  '0.01',
  '--batch-size',
  '16',
];

describe('maas train --task token-classification', () => {
  it('trains, registers and reports a tagger', async () => {
    const env = { MAAS_DATA_DIR: join(root, 'data'), MAAS_SERVING_REGISTER_BUNDLED: 'false' };

    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'token-classification',
        '--name',
        'ner-cli',
        '--test-split',
        '0.1',
        ...SMALL,
      ],
      env,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('registered ner-cli@1');
    expect(result.stdout).toMatch(/held-out test[\s\S]*span F1/);
    const shown = await runCli(['models', 'show', 'ner-cli'], env);
    const model = JSON.parse(shown.stdout) as {
      task: string;
      versions: { model_card: Record<string, unknown> }[];
    };
    expect(model.task).toBe('token-classification');
    const card = model.versions[0]?.model_card as {
      training: { hyperparameters: { unit: string } };
    };
    expect(card.training.hyperparameters.unit).toBe('character');
    const predicted = await runCli(['predict', 'ner-cli', '张伟在成都工作', '   '], env);
    expect(predicted.code).toBe(0);
    const [entities, blank] = JSON.parse(predicted.stdout) as { word: string; start: number }[][];
    expect(entities?.map((entity) => entity.word)).toEqual(['张伟', '成都']);
    expect(blank).toEqual([]);
  }, 120_000);

  it('rejects a classifier architecture', async () => {
    const result = await runCli(
      [
        'train',
        file,
        '--task',
        'token-classification',
        '--name',
        'ner-cli',
        '--architecture',
        'textcnn',
      ],
      { MAAS_DATA_DIR: join(root, 'data-2'), MAAS_SERVING_REGISTER_BUNDLED: 'false' },
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_TRAINING_INVALID');
    expect(result.stderr).toContain('use bilstm or bilstm-crf');
  }, 60_000);
});
