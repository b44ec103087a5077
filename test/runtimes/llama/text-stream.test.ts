import { describe, expect, it } from 'vitest';

import { TextStream } from '../../../src/runtimes/llama/text-stream.js';

/** Feeds growing prefixes of `steps` and returns the deltas, with the final flush last. */
function run(stream: TextStream, steps: readonly string[]): string[] {
  const deltas = steps.map((decoded) => stream.update(decoded).delta);
  deltas.push(stream.finish());
  return deltas;
}

describe('TextStream', () => {
  it('holds back a character until its bytes are complete', () => {
    const stream = new TextStream();
    // A decoder writes U+FFFD for the bytes of 猫 received so far.
    const deltas = run(stream, ['a', 'a\uFFFD', 'a\uFFFD\uFFFD', 'a猫', 'a猫b']);
    expect(deltas).toEqual(['a', '', '', '猫', 'b', '']);
    expect(stream.text).toBe('a猫b');
  });

  it('drops a character cut off at the end', () => {
    const stream = new TextStream();
    expect(run(stream, ['x\uFFFD'])).toEqual(['x', '']);
    expect(stream.text).toBe('x');
  });

  it('cuts the text before a stop sequence', () => {
    const stream = new TextStream(['STOP']);
    const first = stream.update('hello ST');
    expect(first).toEqual({ delta: 'hello ', stopped: false });
    const second = stream.update('hello STOP and more');
    expect(second).toEqual({ delta: '', stopped: true });
    expect(stream.text).toBe('hello ');
    expect(stream.finish()).toBe('');
  });

  it('releases a held prefix that does not become a stop', () => {
    const stream = new TextStream(['STOP']);
    expect(run(stream, ['ST', 'STA', 'STAR'])).toEqual(['', 'STA', 'R', '']);
  });

  it('stops at the earliest of several stop sequences', () => {
    const stream = new TextStream(['世界', '，']);
    const update = stream.update('你好，世界');
    expect(update).toEqual({ delta: '你好', stopped: true });
  });

  it('ignores empty stop sequences', () => {
    const stream = new TextStream(['']);
    expect(stream.update('abc')).toEqual({ delta: 'abc', stopped: false });
  });

  it('keeps emoji whole', () => {
    const stream = new TextStream();
    expect(run(stream, ['😀', '😀\uFFFD', '😀😀'])).toEqual(['😀', '', '😀', '']);
  });
});
