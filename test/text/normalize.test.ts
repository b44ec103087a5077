import { describe, expect, it } from 'vitest';

import {
  DEFAULT_NORMALIZE_OPTIONS,
  normalizeText,
  type NormalizeOptions,
} from '../../src/text/index.js';

const PLAIN = DEFAULT_NORMALIZE_OPTIONS;
const HTML: NormalizeOptions = { ...PLAIN, stripHtml: true };
const URLS: NormalizeOptions = { ...PLAIN, stripUrls: true };

describe('DEFAULT_NORMALIZE_OPTIONS', () => {
  it('switches every optional step off', () => {
    expect(DEFAULT_NORMALIZE_OPTIONS).toEqual({
      lowercase: false,
      stripUrls: false,
      stripHtml: false,
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_NORMALIZE_OPTIONS)).toBe(true);
  });
});

describe('normalizeText unicode steps', () => {
  it('maps full-width ASCII to ASCII', () => {
    expect(normalizeText('ＡＢＣ１２３！', PLAIN)).toBe('ABC123!');
    expect(normalizeText('Ｈｅｌｌｏ，世界？', PLAIN)).toBe('Hello,世界?');
  });

  it('maps the ideographic space to a space', () => {
    expect(normalizeText('你好\u3000世界', PLAIN)).toBe('你好 世界');
  });

  it('applies NFKC', () => {
    expect(normalizeText('ﬁne ①', PLAIN)).toBe('fine 1');
    expect(normalizeText('e\u0301', PLAIN)).toBe('é');
  });

  it('removes zero-width and format characters', () => {
    expect(normalizeText('a\u200bb\u200cc\u2060d\ufeffe\u00adf', PLAIN)).toBe('abcdef');
  });

  it('removes bidi marks and controls', () => {
    const text = '\u202aabc\u202c\u200e \u2066def\u2069\u200f \u202eghi\u202c';
    expect(normalizeText(text, PLAIN)).toBe('abc def ghi');
  });

  it('removes control characters', () => {
    expect(normalizeText('a\u0000b\u0007c\u001bd\u007fe', PLAIN)).toBe('abcde');
  });

  it('turns tabs and line breaks into spaces', () => {
    expect(normalizeText('a\tb\nc\r\nd\u0085e', PLAIN)).toBe('a b c d e');
  });

  it('collapses and trims whitespace', () => {
    expect(normalizeText('  a \u00a0\u2003 b\u3000\u3000c\u2028d  ', PLAIN)).toBe('a b c d');
  });

  it('returns empty text for empty input', () => {
    expect(normalizeText('', PLAIN)).toBe('');
  });

  it('returns empty text for whitespace only', () => {
    expect(normalizeText(' \t\n\u3000\u200b\u00a0 ', PLAIN)).toBe('');
  });

  it('removes lone surrogates', () => {
    expect(normalizeText('a\ud800b\udc00c\ud83d', PLAIN)).toBe('abc');
  });

  it('keeps surrogate pairs', () => {
    expect(normalizeText('😀\ud800', PLAIN)).toBe('😀');
  });

  it('does not pair surrogates split by a removed character', () => {
    expect(normalizeText('x\ud83d\u200b\ude00y', PLAIN)).toBe('xy');
  });
});

describe('normalizeText emoji', () => {
  it.each([
    ['family', '👨‍👩‍👧'],
    ['red heart', '❤️'],
    ['heart on fire', '❤️‍🔥'],
    ['rainbow flag', '🏳️‍🌈'],
    ['skin tone with hair', '👨🏽‍🦰'],
    ['man running', '🏃‍♂️'],
    ['keycap', '1️⃣'],
    ['skin tone', '👍🏽'],
    ['Scotland tag sequence', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
  ])('keeps %s intact', (_name, emoji) => {
    expect(normalizeText(`好${emoji}吃`, PLAIN)).toBe(`好${emoji}吃`);
  });

  it('drops a zero-width joiner between letters', () => {
    expect(normalizeText('a\u200db', PLAIN)).toBe('ab');
  });

  it('drops a zero-width joiner after an emoji', () => {
    expect(normalizeText('😋\u200d好', PLAIN)).toBe('😋好');
  });

  it('drops a zero-width joiner before an emoji', () => {
    expect(normalizeText('好\u200d😋', PLAIN)).toBe('好😋');
  });

  it('drops U+FE0F after a letter', () => {
    expect(normalizeText('a\ufe0fb', PLAIN)).toBe('ab');
  });
});

describe('normalizeText lowercase', () => {
  it('lowercases when enabled', () => {
    expect(normalizeText('Hello WORLD ÄÖÜ', { ...PLAIN, lowercase: true })).toBe('hello world äöü');
  });

  it('keeps case when disabled', () => {
    expect(normalizeText('Hello WORLD', PLAIN)).toBe('Hello WORLD');
  });

  it('lowercases full-width letters after mapping them', () => {
    expect(normalizeText('ＡＢＣ', { ...PLAIN, lowercase: true })).toBe('abc');
  });
});

describe('normalizeText HTML', () => {
  it('removes tags and decodes entities', () => {
    const html = '<p>Great&nbsp;room &amp; <b>friendly</b> staff</p>5&#x2B50; &#26834;';
    expect(normalizeText(html, HTML)).toBe('Great room & friendly staff 5⭐ 棒');
  });

  it('leaves markup alone when disabled', () => {
    expect(normalizeText('<b>x</b> &amp;', PLAIN)).toBe('<b>x</b> &amp;');
  });

  it('joins inline elements without a space', () => {
    expect(normalizeText('good<b>ness</b> 很<em>好</em>', HTML)).toBe('goodness 很好');
  });

  it('separates block elements and line breaks', () => {
    expect(normalizeText('line<br/>next<p>a</p><p>b</p><div>c</div>', HTML)).toBe(
      'line next a b c',
    );
  });

  it('drops comments, scripts and styles', () => {
    const html =
      'a<!-- hidden -->b <script type="x">if (1 < 2) alert(1)</script>c<style>p{}</style>d';
    expect(normalizeText(html, HTML)).toBe('ab c d');
  });

  it('keeps text after an unclosed comment', () => {
    expect(normalizeText('a <!-- b <script> c', HTML)).toBe('a b c');
  });

  it('decodes escaped markup into text once', () => {
    expect(normalizeText('&lt;b&gt;bold&lt;/b&gt; &amp;lt;', HTML)).toBe('<b>bold</b> &lt;');
  });

  it('decodes numeric references like a browser', () => {
    expect(normalizeText('it&#146;s &#x201C;ok&#x201D; &#0; &#x110000;', HTML)).toBe(
      'it’s “ok” \ufffd \ufffd',
    );
  });

  it('keeps unknown named references', () => {
    expect(normalizeText('&foo; &amp', HTML)).toBe('&foo; &amp');
  });

  it('keeps comparison signs that are not tags', () => {
    expect(normalizeText('1 < 2 and 3 > 2', HTML)).toBe('1 < 2 and 3 > 2');
  });

  it('removes a URL inside an attribute with its tag', () => {
    expect(normalizeText('<a href="https://x.com/p">link</a>', HTML)).toBe('link');
  });
});

describe('normalizeText URLs', () => {
  it('removes http, https and www URLs', () => {
    const text = 'see http://a.com/x and HTTPS://b.org/y?q=1#z or www.c.net/path now';
    expect(normalizeText(text, URLS)).toBe('see and or now');
  });

  it('leaves URLs alone when disabled', () => {
    expect(normalizeText('see https://example.com now', PLAIN)).toBe('see https://example.com now');
  });

  it('keeps Chinese text right after a URL', () => {
    expect(normalizeText('详情见http://t.cn/abc好评', URLS)).toBe('详情见 好评');
  });

  it('keeps sentence punctuation after a URL', () => {
    expect(normalizeText('Visit https://example.com/a, then www.b.com.', URLS)).toBe(
      'Visit , then .',
    );
  });

  it('keeps an unbalanced closing parenthesis', () => {
    expect(normalizeText('(see https://a.org/Foo_(bar))', URLS)).toBe('(see )');
  });

  it('runs after HTML decoding', () => {
    const html = '<p>go&nbsp;https://example.com/a?x=1&amp;y=2</p>';
    expect(normalizeText(html, { ...HTML, stripUrls: true })).toBe('go');
  });
});
