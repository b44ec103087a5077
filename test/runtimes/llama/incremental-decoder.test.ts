import { join } from 'node:path';

import type { LlamaModel, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildLlamaVocabulary, writeTinyLlamaGguf } from '../../../src/fixtures/index.js';
import { SeededRandom } from '../../../src/fixtures/seeded-random.js';
import { IncrementalDecoder } from '../../../src/runtimes/llama/incremental-decoder.js';
import { getLlamaEngine } from '../../../src/runtimes/llama/index.js';
import { makeTempDir, removeTempDir } from '../../helpers/sentiment-fixture.js';

let root: string;
let model: LlamaModel;
let pieces: string[];

beforeAll(async () => {
  root = await makeTempDir('llama-decoder');
  const file = join(root, 'tiny.gguf');
  await writeTinyLlamaGguf(file);
  model = await (await getLlamaEngine()).loadModel({ modelPath: file });
  pieces = buildLlamaVocabulary().pieces;
}, 60_000);

afterAll(async () => {
  await model?.dispose();
  if (root !== undefined) await removeTempDir(root);
});

const id = (piece: string): Token => pieces.indexOf(piece) as Token;

/** Checks every prefix of `tokens` against decoding the whole prefix at once. */
function expectSameAsWhole(tokens: readonly Token[], prompt: readonly Token[]): void {
  const decoder = new IncrementalDecoder(model, prompt);
  const promptTail = prompt.slice(-4);
  for (let length = 1; length <= tokens.length; length += 1) {
    const prefix = tokens.slice(0, length);
    expect(decoder.decode(prefix), `prefix of ${length} tokens`).toBe(
      model.detokenize(prefix, false, promptTail),
    );
  }
}

describe('IncrementalDecoder', () => {
  it('decodes pieces with leading spaces', () => {
    const tokens = ['▁hello', '▁world', ',', '▁the', '▁cat', '.'].map(id);
    expectSameAsWhole(tokens, model.tokenize('prompt'));
  });

  it('joins a character split over byte tokens', () => {
    const tokens = ['▁hello', '<0xE7>', '<0x8C>', '<0xAB>', '你', '<0xF0>', '<0x9F>'].map(id);
    expectSameAsWhole([...tokens, ...['<0x98>', '<0x80>', '▁the'].map(id)], []);
  });

  it('matches whole decoding on random token lists', () => {
    const random = new SeededRandom(11);
    // Every token but the special and chat control tokens, stray bytes included.
    const candidates = pieces
      .map((_, index) => index as Token)
      .filter((token) => !/^<(unk|s|\/s|\|\w+\|)>$/.test(pieces[token] ?? ''));
    for (let run = 0; run < 20; run += 1) {
      const tokens = Array.from(
        { length: 40 },
        () => candidates[Math.floor(random.next() * candidates.length)] as Token,
      );
      expectSameAsWhole(tokens, model.tokenize('提示'));
    }
  });
});
