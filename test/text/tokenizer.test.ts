import { describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import {
  DEFAULT_NORMALIZE_OPTIONS,
  Tokenizer,
  type TokenizerConfig,
  type TokenizerFile,
} from '../../src/text/index.js';

const CONFIG: TokenizerConfig = {
  normalize: DEFAULT_NORMALIZE_OPTIONS,
  segmentation: 'word',
  maxLength: 8,
};

const CORPUS = ['房间很干净，服务也很好！', '服务很好', '房间很小', 'Great room!', '好吃😋推荐'];

function captureError(action: () => unknown): MaasError {
  try {
    action();
  } catch (error) {
    if (error instanceof MaasError) return error;
    throw error;
  }
  throw new Error('expected a MaasError, but nothing was thrown');
}

function trainedTokenizer(config: TokenizerConfig = CONFIG): Tokenizer {
  return Tokenizer.train(CORPUS, config, { minCount: 1, maxSize: 100 });
}

describe('Tokenizer.train', () => {
  it('builds the vocabulary from normalized tokens', () => {
    const tokenizer = trainedTokenizer();
    // Ties are broken by code-unit order: "!" (U+0021) < "很好" (U+5F88) < "房间" < "服务".
    expect(tokenizer.vocabulary.tokens()).toEqual([
      ...['[PAD]', '[UNK]', '!', '很好', '房间', '服务', ',', 'Great', 'room', '也'],
      ...['好吃', '干净', '很', '很小', '推荐', '😋'],
    ]);
  });

  it('rejects an invalid maxLength', () => {
    const error = captureError(() => trainedTokenizer({ ...CONFIG, maxLength: 0 }));
    expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect(error.param).toBe('maxLength');
  });

  it('rejects an invalid segmentation', () => {
    const config = { ...CONFIG, segmentation: 'bpe' } as unknown as TokenizerConfig;
    const error = captureError(() => trainedTokenizer(config));
    expect(error.code).toBe('MAAS_ERR_TRAINING_INVALID');
    expect(error.param).toBe('segmentation');
  });
});

describe('Tokenizer.tokenize', () => {
  it('normalizes before segmenting', () => {
    expect(trainedTokenizer().tokenize('ＡＢＣ１２３！\u200b  很好')).toEqual([
      'ABC123',
      '!',
      '很好',
    ]);
  });

  it('applies the lowercase option', () => {
    const tokenizer = trainedTokenizer({
      ...CONFIG,
      normalize: { ...DEFAULT_NORMALIZE_OPTIONS, lowercase: true },
    });
    expect(tokenizer.tokenize('Great ROOM')).toEqual(['great', 'room']);
    expect(tokenizer.encode('GREAT').ids).toEqual(tokenizer.encode('great').ids);
  });

  it('applies HTML and URL stripping', () => {
    const normalize = { lowercase: false, stripUrls: true, stripHtml: true };
    const tokenizer = trainedTokenizer({ ...CONFIG, normalize });
    expect(tokenizer.tokenize('<b>Nice</b> http://x.com/a 好')).toEqual(['Nice', '好']);
  });

  it('uses char segmentation when configured', () => {
    const tokenizer = trainedTokenizer({ ...CONFIG, segmentation: 'char' });
    expect(tokenizer.tokenize('房间很干净')).toEqual(['房', '间', '很', '干', '净']);
  });

  it('returns every token of a long text', () => {
    expect(trainedTokenizer().tokenize('很 '.repeat(50))).toHaveLength(50);
  });
});

describe('Tokenizer.encode', () => {
  const tokenizer = trainedTokenizer();

  it('maps tokens to ids and unknown tokens to 1', () => {
    expect(tokenizer.encode('房间很脏！')).toEqual({
      ids: [4, 12, 1, 2],
      attentionMask: [1, 1, 1, 1],
      length: 4,
      truncated: false,
    });
  });

  it('truncates to the first maxLength tokens', () => {
    const encoding = tokenizer.encode('很 很 很 很 很 很 很 很 房间 服务');
    expect(encoding.ids).toEqual([12, 12, 12, 12, 12, 12, 12, 12]);
    expect(encoding.length).toBe(8);
    expect(encoding.truncated).toBe(true);
  });

  it('does not flag text of exactly maxLength tokens', () => {
    expect(tokenizer.encode('很 很 很 很 很 很 很 很').truncated).toBe(false);
  });

  it.each(['', '   ', '\u200b\u3000\n'])('encodes %j to zero tokens', (text) => {
    expect(tokenizer.encode(text)).toEqual({
      ids: [],
      attentionMask: [],
      length: 0,
      truncated: false,
    });
  });

  it('truncates a 1 MB single line', () => {
    const text = '房间很干净，服务也很好！Great room 😋 '.repeat(40_000);
    expect(text.length).toBeGreaterThan(1_000_000);
    const encoding = tokenizer.encode(text);
    expect(encoding.ids).toEqual([4, 12, 11, 6, 5, 9, 3, 2]);
    expect(encoding.truncated).toBe(true);
  });

  it('tokenizes a 1 MB single line in full', () => {
    const text = 'Great room, 很好! '.repeat(62_500);
    expect(text.length).toBe(1_000_000);
    expect(tokenizer.tokenize(text)).toHaveLength(62_500 * 5);
  });
});

describe('Tokenizer.encodeBatch', () => {
  const tokenizer = trainedTokenizer();
  const texts = ['很', '', '房间很干净，服务也很好！', 'Great room!'];

  it('pads at the end to the longest text', () => {
    const batch = tokenizer.encodeBatch(texts);
    expect(batch.batchSize).toBe(4);
    expect(batch.sequenceLength).toBe(8);
    expect(batch.lengths).toEqual([1, 0, 8, 3]);
    expect([...batch.ids]).toEqual([
      ...[12, 0, 0, 0, 0, 0, 0, 0],
      ...[0, 0, 0, 0, 0, 0, 0, 0],
      ...[4, 12, 11, 6, 5, 9, 3, 2],
      ...[7, 8, 2, 0, 0, 0, 0, 0],
    ]);
    expect([...batch.attentionMask]).toEqual([
      ...[1, 0, 0, 0, 0, 0, 0, 0],
      ...[0, 0, 0, 0, 0, 0, 0, 0],
      ...[1, 1, 1, 1, 1, 1, 1, 1],
      ...[1, 1, 1, 0, 0, 0, 0, 0],
    ]);
  });

  it('returns Int32Array matrices', () => {
    const batch = tokenizer.encodeBatch(texts);
    expect(batch.ids).toBeInstanceOf(Int32Array);
    expect(batch.attentionMask).toBeInstanceOf(Int32Array);
    expect(batch.ids).toHaveLength(batch.batchSize * batch.sequenceLength);
  });

  it('pads short texts to the longest one', () => {
    const batch = tokenizer.encodeBatch(['很', 'Great room!']);
    expect(batch.sequenceLength).toBe(3);
    expect([...batch.ids]).toEqual([12, 0, 0, 7, 8, 2]);
    expect([...batch.attentionMask]).toEqual([1, 0, 0, 1, 1, 1]);
  });

  it('pads to maxLength when requested', () => {
    const batch = tokenizer.encodeBatch(['很', 'Great room!'], { padding: 'max_length' });
    expect(batch.sequenceLength).toBe(8);
    expect([...batch.ids]).toEqual([12, 0, 0, 0, 0, 0, 0, 0, 7, 8, 2, 0, 0, 0, 0, 0]);
  });

  it('keeps width 1 when every text is empty', () => {
    const batch = tokenizer.encodeBatch(['', ' ']);
    expect(batch.sequenceLength).toBe(1);
    expect([...batch.ids]).toEqual([0, 0]);
    expect([...batch.attentionMask]).toEqual([0, 0]);
    expect(batch.lengths).toEqual([0, 0]);
  });

  it('encodes an empty batch', () => {
    const batch = tokenizer.encodeBatch([]);
    expect(batch.batchSize).toBe(0);
    expect(batch.ids).toHaveLength(0);
    expect(batch.lengths).toEqual([]);
  });

  it('rejects an unknown padding strategy', () => {
    const options = { padding: 'max-length' } as unknown as { padding: 'longest' };
    const error = captureError(() => tokenizer.encodeBatch(['很'], options));
    expect(error.code).toBe('MAAS_ERR_REQUEST_INVALID');
    expect(error.param).toBe('padding');
  });
});

describe('Tokenizer JSON', () => {
  const normalize = { lowercase: true, stripUrls: true, stripHtml: false };
  const tokenizer = trainedTokenizer({ normalize, segmentation: 'char', maxLength: 16 });

  it('writes the tokenizer file format', () => {
    const file = tokenizer.toJSON();
    expect(file).toEqual({
      format: 'nlp-maas/word-tokenizer',
      format_version: 1,
      normalize: { lowercase: true, strip_urls: true, strip_html: false },
      segmentation: 'char',
      max_length: 16,
      padding_id: 0,
      unknown_id: 1,
      vocabulary: tokenizer.vocabulary.tokens(),
    });
    expect(file.vocabulary.slice(0, 4)).toEqual(['[PAD]', '[UNK]', '很', '好']);
  });

  it('round-trips to identical encodings', () => {
    const restored = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
    expect(restored.config).toEqual(tokenizer.config);
    const samples = [...CORPUS, 'GREAT http://x.com 房间', '', 'unknown 词'];
    for (const text of samples) expect(restored.encode(text)).toEqual(tokenizer.encode(text));
    expect(restored.encodeBatch(samples)).toEqual(tokenizer.encodeBatch(samples));
  });

  const valid = (): Record<string, unknown> => JSON.parse(JSON.stringify(tokenizer.toJSON()));
  const cases: Array<[string, (file: Record<string, unknown>) => unknown, string]> = [
    [
      'format',
      (file) => ({ ...file, format: 'hf-tokenizer' }),
      '"format" must be "nlp-maas/word-tokenizer"',
    ],
    [
      'format_version',
      (file) => ({ ...file, format_version: 2 }),
      '"format_version" must be 1, got 2',
    ],
    ['normalize', (file) => ({ ...file, normalize: undefined }), 'normalize'],
    [
      'normalize.strip_urls',
      (file) => ({ ...file, normalize: { ...(file['normalize'] as object), strip_urls: 'yes' } }),
      '"normalize.strip_urls" must be true or false, got "yes"',
    ],
    [
      'segmentation',
      (file) => ({ ...file, segmentation: 'bpe' }),
      '"segmentation" must be "word" or "char"',
    ],
    [
      'max_length',
      (file) => ({ ...file, max_length: 0 }),
      '"max_length" must be a positive integer, got 0',
    ],
    ['max_length', (file) => ({ ...file, max_length: 1.5 }), 'got 1.5'],
    [
      'max_length',
      (file) => ({ ...file, max_length: undefined }),
      '"max_length" must be a positive integer, but it is missing',
    ],
    ['padding_id', (file) => ({ ...file, padding_id: 3 }), '"padding_id" must be 0, got 3'],
    ['unknown_id', (file) => ({ ...file, unknown_id: '1' }), '"unknown_id" must be 1, got "1"'],
    ['vocabulary', (file) => ({ ...file, vocabulary: 'a b' }), '"vocabulary" must be an array'],
    [
      'vocabulary',
      (file) => ({ ...file, vocabulary: ['[UNK]', '[PAD]'] }),
      'vocabulary[0] must be "[PAD]"',
    ],
    [
      'vocabulary',
      (file) => ({ ...file, vocabulary: ['[PAD]', '[UNK]', 'a', 'a'] }),
      'vocabulary[3] repeats vocabulary[2]',
    ],
  ];

  it.each(cases)('rejects an invalid %s', (param, mutate, message) => {
    const error = captureError(() => Tokenizer.fromJSON(mutate(valid())));
    expect(error.code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
  });

  it.each([null, [], 'tokenizer', 42])('rejects %j as a file', (value) => {
    const error = captureError(() => Tokenizer.fromJSON(value));
    expect(error.code).toBe('MAAS_ERR_ARTIFACT_INVALID');
    expect(error.message).toContain('must be a JSON object');
  });

  it('ignores unknown fields', () => {
    const file = { ...valid(), comment: 'written by hand' } as unknown as TokenizerFile;
    expect(Tokenizer.fromJSON(file).encode('很好').ids).toEqual(tokenizer.encode('很好').ids);
  });
});
