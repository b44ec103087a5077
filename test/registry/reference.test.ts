import { describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import {
  ALIAS_PATTERN,
  MODEL_NAME_PATTERN,
  assertAlias,
  assertModelName,
  formatModelReference,
  isValidModelName,
  parseModelReference,
  type ModelReference,
} from '../../src/registry/index.js';

function captureError(action: () => unknown): MaasError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MaasError);
    return error as MaasError;
  }
  throw new Error('expected the action to throw');
}

describe('parseModelReference', () => {
  const valid: [string, ModelReference][] = [
    ['sentiment-zh', { name: 'sentiment-zh' }],
    ['sentiment-zh@3', { name: 'sentiment-zh', version: 3 }],
    ['sentiment-zh@staging', { name: 'sentiment-zh', alias: 'staging' }],
    ['bert.base_v2@production', { name: 'bert.base_v2', alias: 'production' }],
    ['7b-chat@12', { name: '7b-chat', version: 12 }],
    ['m@v2', { name: 'm', alias: 'v2' }],
    ['m@A.b_c-d', { name: 'm', alias: 'A.b_c-d' }],
    ['a'.repeat(128), { name: 'a'.repeat(128) }],
    [`m@${'a'.repeat(64)}`, { name: 'm', alias: 'a'.repeat(64) }],
    ['m@9007199254740991', { name: 'm', version: Number.MAX_SAFE_INTEGER }],
  ];
  for (const [text, expected] of valid) {
    it(`parses ${text.length > 40 ? `${text.slice(0, 20)}…` : text}`, () => {
      expect(parseModelReference(text)).toEqual(expected);
    });
  }

  const invalid = [
    '',
    '@',
    '@3',
    'm@',
    'm@0',
    'm@-1',
    'm@01',
    'm@1.5',
    'm@3a',
    'm@9007199254740992',
    'a@b@c',
    'm@@staging',
    'sentiment zh',
    'sentiment/zh',
    '../etc',
    'a..b',
    '-leading-dash',
    '.hidden',
    'm@_alias',
    'm@staging!',
    'modèle',
    ' m',
    'a'.repeat(129),
    `m@${'a'.repeat(65)}`,
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text.length > 40 ? `${text.slice(0, 20)}…` : text)}`, () => {
      const error = captureError(() => parseModelReference(text));

      expect(error.code).toBe('MAAS_ERR_MODEL_REFERENCE_INVALID');
      expect(error.status).toBe(400);
      expect(error.message).toContain(JSON.stringify(text));
      expect(error.message).toContain('name, name@version or name@alias');
    });
  }

  it('explains a second "@"', () => {
    expect(captureError(() => parseModelReference('a@b@c')).message).toContain('more than one');
  });
});

describe('formatModelReference', () => {
  it('round-trips each form', () => {
    for (const text of ['sentiment-zh', 'sentiment-zh@3', 'sentiment-zh@staging']) {
      expect(formatModelReference(parseModelReference(text))).toBe(text);
    }
  });
});

describe('model name and alias checks', () => {
  it('accepts names the pattern allows', () => {
    expect(isValidModelName('sentiment-zh')).toBe(true);
    expect(isValidModelName('0')).toBe(true);
    expect(MODEL_NAME_PATTERN.test('a.b')).toBe(true);
  });

  it('rejects ".." inside a name', () => {
    expect(MODEL_NAME_PATTERN.test('a..b')).toBe(true);
    expect(isValidModelName('a..b')).toBe(false);
  });

  it('assertModelName raises MAAS_ERR_MODEL_NAME_INVALID', () => {
    const error = captureError(() => assertModelName('bad name'));

    expect(error.code).toBe('MAAS_ERR_MODEL_NAME_INVALID');
    expect(error.message).toContain('"bad name"');
  });

  it('aliases start with a letter', () => {
    expect(ALIAS_PATTERN.test('staging')).toBe(true);
    expect(ALIAS_PATTERN.test('3')).toBe(false);
    expect(captureError(() => assertAlias('1st')).code).toBe('MAAS_ERR_MODEL_NAME_INVALID');
  });
});
