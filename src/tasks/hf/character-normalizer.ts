/**
 * Per-character normalization that mirrors the `normalizer` section of a Hugging Face
 * `tokenizer.json`, as @huggingface/tokenizers 0.2 (used by transformers.js 4.3) applies it.
 * The token aligner needs it to compare tokens with the original text one character at a time.
 */

/** Function from one code point to its normalized text, which may be empty or longer. */
export type CharacterNormalizer = (character: string) => string;

/** Fields of a `BertNormalizer` entry in `tokenizer.json`. */
export interface BertNormalizerConfig {
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  /** `null` means: strip accents when lowercasing, as BERT uncased does. */
  strip_accents?: boolean | null;
  lowercase?: boolean;
}

const CONTROL = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u;
const WHITESPACE = /^\s$/u;
const NONSPACING_MARKS = /\p{Mn}/gu;
const ALL_MARKS = /\p{M}/gu;

const identity: CharacterNormalizer = (character) => character;

/**
 * Reports whether the BERT normalizer puts spaces around `codePoint`: the CJK Unified
 * Ideographs blocks and their extensions.
 */
export function isChineseCodePoint(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x20000 && codePoint <= 0x2a6df) ||
    (codePoint >= 0x2a700 && codePoint <= 0x2b73f) ||
    (codePoint >= 0x2b740 && codePoint <= 0x2b81f) ||
    (codePoint >= 0x2b820 && codePoint <= 0x2ceaf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x2f800 && codePoint <= 0x2fa1f)
  );
}

function stripNonspacingMarks(text: string): string {
  return text.normalize('NFD').replace(NONSPACING_MARKS, '');
}

/** Builds the per-character form of a `BertNormalizer` with the defaults of `tokenizers`. */
export function bertCharacterNormalizer(config: BertNormalizerConfig = {}): CharacterNormalizer {
  const cleanText = config.clean_text ?? true;
  const handleChineseChars = config.handle_chinese_chars ?? true;
  const lowercase = config.lowercase ?? true;
  const stripAccents = config.strip_accents ?? null;

  return (character) => {
    const codePoint = character.codePointAt(0) ?? 0;
    if (cleanText) {
      const isKeptControl = character === '\t' || character === '\n' || character === '\r';
      if (codePoint === 0 || codePoint === 0xfffd || (!isKeptControl && CONTROL.test(character))) {
        return '';
      }
      if (WHITESPACE.test(character)) return ' ';
    }

    // NOTE: @huggingface/tokenizers 0.2 tests each UTF-16 unit, so it never spaces the
    // ideographs outside the Basic Multilingual Plane; this mirrors that, unlike Python.
    let text = character;
    if (handleChineseChars && codePoint <= 0xffff && isChineseCodePoint(codePoint)) {
      text = ` ${text} `;
    }
    if (lowercase) {
      text = text.toLowerCase();
      if (stripAccents !== false) text = stripNonspacingMarks(text);
    } else if (stripAccents === true) {
      text = stripNonspacingMarks(text);
    }
    return text;
  };
}

function normalizerFromEntry(entry: Record<string, unknown>): CharacterNormalizer {
  switch (entry.type) {
    case 'BertNormalizer':
      return bertCharacterNormalizer(entry as BertNormalizerConfig);
    case 'Lowercase':
      return (character) => character.toLowerCase();
    case 'StripAccents':
      return (character) => character.replace(ALL_MARKS, '');
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = entry.type;
      return (character) => character.normalize(form);
    }
    case 'Sequence': {
      const steps = Array.isArray(entry.normalizers)
        ? (entry.normalizers as Record<string, unknown>[]).map(normalizerFromEntry)
        : [];
      return (character) => steps.reduce((text, step) => mapCharacters(text, step), character);
    }
    default:
      // NOTE: other normalizers (Replace, Prepend, Precompiled) are treated as identity, so
      // offsets of text they change come from the aligner's resynchronizing search.
      return identity;
  }
}

function mapCharacters(text: string, normalize: CharacterNormalizer): string {
  let output = '';
  for (const character of text) output += normalize(character);
  return output;
}

/**
 * Builds the per-character normalizer for the `normalizer` value of a `tokenizer.json`
 * (`null` or missing gives identity).
 */
export function characterNormalizerFromTokenizerJson(normalizer: unknown): CharacterNormalizer {
  if (normalizer === null || typeof normalizer !== 'object') return identity;
  return normalizerFromEntry(normalizer as Record<string, unknown>);
}
