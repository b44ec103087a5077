/**
 * Elements that browsers render without a break around them. Their tags are removed, so
 * `good<b>ness</b>` stays one word. Every other tag becomes a space, so `line<br>next` and
 * `<p>a</p><p>b</p>` do not merge into one word.
 */
const INLINE_ELEMENTS = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'data',
  'dfn',
  'em',
  'font',
  'i',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'time',
  'u',
  'var',
  'wbr',
]);

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  deg: '°',
  times: '×',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
};

/**
 * Characters that the HTML standard substitutes for numeric references to U+0080–U+009F,
 * because pages written in Windows-1252 use those numbers for quotes and dashes.
 */
const WINDOWS_1252_C1: Readonly<Record<number, string>> = {
  0x80: '€',
  0x82: '‚',
  0x83: 'ƒ',
  0x84: '„',
  0x85: '…',
  0x86: '†',
  0x87: '‡',
  0x88: 'ˆ',
  0x89: '‰',
  0x8a: 'Š',
  0x8b: '‹',
  0x8c: 'Œ',
  0x8e: 'Ž',
  0x91: '‘',
  0x92: '’',
  0x93: '“',
  0x94: '”',
  0x95: '•',
  0x96: '–',
  0x97: '—',
  0x98: '˜',
  0x99: '™',
  0x9a: 'š',
  0x9b: '›',
  0x9c: 'œ',
  0x9e: 'ž',
  0x9f: 'Ÿ',
};

// `[^<>]*` rather than `[^>]*` keeps every scan bounded by the next `<`, so text full of
// unclosed `<a` stays linear. Attribute values that contain `<` or `>` are cut short.
const TAG_PATTERN = /<\/?([A-Za-z][A-Za-z0-9-]*)(?:[\s/][^<>]*)?>|<[!?][^<>]*>/g;
const ENTITY_PATTERN = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;
const RAW_TEXT_OPENER_PATTERN = /<!--|<(script|style)\b[^<>]*>/gi;
type RawTextKind = '!--' | 'script' | 'style';
const RAW_TEXT_CLOSER_PATTERNS: Readonly<Record<RawTextKind, RegExp>> = {
  '!--': /-->/g,
  script: /<\/script\s*>/gi,
  style: /<\/style\s*>/gi,
};

/**
 * Removes HTML markup from `text` and decodes character references. Comments and the content
 * of `script` and `style` elements are dropped. Tags are removed, and all but those of inline
 * elements leave a space. Named references from a short common list and all numeric
 * references are decoded. This is a lenient scanner for scraped text, not an HTML parser.
 */
export function stripHtml(text: string): string {
  const withoutTags = removeRawText(text).replace(TAG_PATTERN, (_tag, name: string | undefined) =>
    name !== undefined && INLINE_ELEMENTS.has(name.toLowerCase()) ? '' : ' ',
  );
  return decodeEntities(withoutTags);
}

/**
 * Drops comments and `script`/`style` elements with their content. An opener without a
 * closer is dropped alone, so a stray `<!--` in plain text does not erase the rest of it.
 */
function removeRawText(text: string): string {
  const opener = new RegExp(RAW_TEXT_OPENER_PATTERN);
  const unclosedKinds = new Set<RawTextKind>();
  let result = '';
  let copiedUpTo = 0;
  for (let match = opener.exec(text); match !== null; match = opener.exec(text)) {
    const kind = (match[1] ?? '!--').toLowerCase() as RawTextKind;
    let end = match.index + match[0].length;
    if (!unclosedKinds.has(kind)) {
      const closerEnd = findCloserEnd(text, kind, end);
      // Once one opener of a kind has no closer, no later one has either.
      if (closerEnd === -1) unclosedKinds.add(kind);
      else end = closerEnd;
    }
    result += text.slice(copiedUpTo, match.index) + (kind === '!--' ? '' : ' ');
    copiedUpTo = end;
    opener.lastIndex = end;
  }
  return result + text.slice(copiedUpTo);
}

function findCloserEnd(text: string, kind: RawTextKind, from: number): number {
  const closer = new RegExp(RAW_TEXT_CLOSER_PATTERNS[kind]);
  closer.lastIndex = from;
  const match = closer.exec(text);
  return match === null ? -1 : match.index + match[0].length;
}

function decodeEntities(text: string): string {
  return text.replace(
    ENTITY_PATTERN,
    (reference, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (name !== undefined) return NAMED_ENTITIES[name] ?? reference;
      return decodeCodePoint(decimal !== undefined ? Number(decimal) : Number.parseInt(hex!, 16));
    },
  );
}

/** Decodes a numeric character reference the way the HTML standard does. */
function decodeCodePoint(codePoint: number): string {
  const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  if (codePoint === 0 || codePoint > 0x10ffff || isSurrogate) return '\ufffd';
  return WINDOWS_1252_C1[codePoint] ?? String.fromCodePoint(codePoint);
}
