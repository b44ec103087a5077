import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TextPacer } from '../../src/api/routes/openai/text-pacer.js';

describe('TextPacer', () => {
  let written: string[];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    written = [];
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes every piece at interval 0', () => {
    const pacer = new TextPacer(0, (text) => written.push(text));
    for (const piece of ['a', '猫', '🙂']) pacer.push(piece);

    expect(written).toEqual(['a', '猫', '🙂']);
  });

  it('joins pieces within the interval', () => {
    const pacer = new TextPacer(10, (text) => written.push(text));
    pacer.push('Hello');
    vi.advanceTimersByTime(2);
    pacer.push(',');
    vi.advanceTimersByTime(3);
    pacer.push(' 世界');

    expect(written).toEqual(['Hello']);
    vi.advanceTimersByTime(5);
    expect(written).toEqual(['Hello', ', 世界']);
  });

  it('writes slow pieces at once', () => {
    const pacer = new TextPacer(10, (text) => written.push(text));
    for (const piece of ['one', ' two', ' three']) {
      pacer.push(piece);
      vi.advanceTimersByTime(50);
    }

    expect(written).toEqual(['one', ' two', ' three']);
  });

  it('flushes held text on demand', () => {
    const pacer = new TextPacer(1000, (text) => written.push(text));
    pacer.push('a');
    pacer.push('b');
    pacer.push('');
    pacer.push('c');
    pacer.flush();
    pacer.flush();

    expect(written).toEqual(['a', 'bc']);
    vi.advanceTimersByTime(5000);
    expect(written).toEqual(['a', 'bc']);
  });

  it('discards held text', () => {
    const pacer = new TextPacer(10, (text) => written.push(text));
    pacer.push('kept');
    pacer.push('dropped');
    pacer.discard();
    vi.advanceTimersByTime(100);

    expect(written).toEqual(['kept']);
  });
});
