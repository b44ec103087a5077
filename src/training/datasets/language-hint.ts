/** Language guesses of {@link guessLanguage}. */
export const LANGUAGE_HINTS = ['zh', 'ja', 'ko', 'en', 'latin', 'unknown'] as const;
export type LanguageHint = (typeof LANGUAGE_HINTS)[number];

/** Characters of a text that the guess looks at, so that a huge file costs little. */
const SAMPLE_CHARS = 100_000;

const ENGLISH_WORDS = new Set(['the', 'of', 'and', 'to', 'a', 'in', 'is', 'that', 'for', 'it']);

/**
 * Guesses the language of a text from its script, by counting characters in the first
 * 100,000: kana means `ja`, Hangul `ko`, other Han characters `zh`. Latin text is `en` when at
 * least 5% of its words are common English function words, else `latin`. Text with neither
 * script is `unknown`. It is a hint for the dataset listing, not a language identifier.
 */
export function guessLanguage(text: string): LanguageHint {
  const sample = text.slice(0, SAMPLE_CHARS);
  const han = countMatches(sample, /\p{Script=Han}/gu);
  const kana = countMatches(sample, /[\p{Script=Hiragana}\p{Script=Katakana}]/gu);
  const hangul = countMatches(sample, /\p{Script=Hangul}/gu);
  const latin = countMatches(sample, /\p{Script=Latin}/gu);
  const cjk = han + kana + hangul;
  if (cjk === 0 && latin === 0) {
    return 'unknown';
  }
  if (cjk >= latin) {
    if (kana > 0 && kana >= cjk * 0.05) return 'ja';
    return hangul > han ? 'ko' : 'zh';
  }
  const words = sample.toLowerCase().match(/\p{Script=Latin}+/gu) ?? [];
  const english = words.filter((word) => ENGLISH_WORDS.has(word)).length;
  return english >= words.length * 0.05 ? 'en' : 'latin';
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
