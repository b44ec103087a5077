import { MaasError } from '../errors/index.js';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeText } from '../text/index.js';

/** Characters per shingle, the unit two texts are compared by. */
export const NEAR_DUPLICATE_SHINGLE_LENGTH = 5;

/** Share of a text's shingles that must occur in the other text for it to count as copied. */
export const NEAR_DUPLICATE_CONTAINMENT = 0.5;

/**
 * Shingles an indexed text needs before a text that contains it counts as a copy, so that a
 * short phrase such as `吃起来还不错` inside a long review does not make the review a copy.
 */
export const SPECIFIC_TEXT_SHINGLES = 20;

/**
 * A shingle found in more indexed texts than this is a common phrase, and is not used to find
 * candidate texts. It still counts when a candidate is compared.
 * NOTE: a near copy that shares only such common shingles with its original is not found.
 */
export const COMMON_SHINGLE_TEXTS = 50;

/** Texts an index may hold, because each posting packs a shingle hash and a text id into one double. */
const MAX_TEXTS = 2 ** 21;

/**
 * Finds texts that copy an indexed text: exact copies after normalization, and near copies
 * that differ in case, white space, punctuation, symbols, a few characters, or by a cut end or
 * start. A query text is a near copy of an indexed text when at least
 * {@link NEAR_DUPLICATE_CONTAINMENT} of its shingles occur in the indexed text, or when that
 * share of a specific indexed text's shingles occurs in the query. Shingles are kept as 32-bit
 * hashes, so a hash collision can only add a match, never hide one.
 */
export class NearDuplicateIndex {
  private readonly exact = new Set<string>();
  private readonly shingles: Uint32Array[] = [];
  /** `hash * MAX_TEXTS + id` for every shingle of every text, sorted. */
  private readonly postings: Float64Array;

  constructor(texts: Iterable<string>) {
    let total = 0;
    for (const text of texts) {
      const key = comparisonKey(text);
      this.exact.add(key === '' ? exactKeyOf(text) : key);
      const hashes = shingleHashes(key);
      this.shingles.push(hashes);
      total += hashes.length;
    }
    if (this.shingles.length > MAX_TEXTS) {
      throw new MaasError(
        'MAAS_ERR_TRAINING_INVALID',
        `the main file has ${this.shingles.length} rows, more than the ${MAX_TEXTS} that the near-copy check of extra training files supports; train without extra files`,
        { param: 'extra_train_file' },
      );
    }
    this.postings = new Float64Array(total);
    let next = 0;
    this.shingles.forEach((hashes, id) => {
      for (const hash of hashes) this.postings[next++] = hash * MAX_TEXTS + id;
    });
    this.postings.sort();
  }

  /** Returns whether `text` is an exact or near copy of an indexed text. */
  has(text: string): boolean {
    const key = comparisonKey(text);
    if (key === '') return this.exact.has(exactKeyOf(text));
    if (this.exact.has(key)) return true;
    const query = shingleHashes(key);
    const checked = new Set<number>();
    for (const hash of query) {
      const start = lowerBound(this.postings, hash * MAX_TEXTS);
      const end = lowerBound(this.postings, (hash + 1) * MAX_TEXTS);
      if (end - start > COMMON_SHINGLE_TEXTS) continue;
      for (let index = start; index < end; index++) {
        const id = (this.postings[index] as number) % MAX_TEXTS;
        if (checked.has(id)) continue;
        checked.add(id);
        if (this.copies(query, this.shingles[id] as Uint32Array)) return true;
      }
    }
    return false;
  }

  private copies(query: Uint32Array, indexed: Uint32Array): boolean {
    const shared = countShared(query, indexed);
    if (shared >= NEAR_DUPLICATE_CONTAINMENT * query.length) return true;
    return (
      indexed.length >= SPECIFIC_TEXT_SHINGLES &&
      shared >= NEAR_DUPLICATE_CONTAINMENT * indexed.length
    );
  }
}

/** Returns the normalized, lower-case text without white space, punctuation or symbols. */
export function comparisonKey(text: string): string {
  return normalizeText(text, DEFAULT_NORMALIZE_OPTIONS)
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Key of a text made only of punctuation and symbols, such as emoji: itself without spaces. */
function exactKeyOf(text: string): string {
  return `\u0000${normalizeText(text, DEFAULT_NORMALIZE_OPTIONS).replace(/\s+/gu, '')}`;
}

/** Returns the sorted distinct shingle hashes of `key`, one shingle for a shorter key. */
function shingleHashes(key: string): Uint32Array {
  const characters = Array.from(key);
  const hashes = new Set<number>();
  if (characters.length > 0) {
    const last = Math.max(0, characters.length - NEAR_DUPLICATE_SHINGLE_LENGTH);
    for (let start = 0; start <= last; start++) {
      hashes.add(fnv1a(characters.slice(start, start + NEAR_DUPLICATE_SHINGLE_LENGTH).join('')));
    }
  }
  return Uint32Array.from(hashes).sort();
}

/** Counts the values that two sorted arrays share. */
function countShared(left: Uint32Array, right: Uint32Array): number {
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const a = left[i] as number;
    const b = right[j] as number;
    if (a === b) {
      shared++;
      i++;
      j++;
    } else if (a < b) {
      i++;
    } else {
      j++;
    }
  }
  return shared;
}

/** Returns the first index of sorted `values` whose value is at least `target`. */
function lowerBound(values: Float64Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Returns the 32-bit FNV-1a hash of the UTF-16 code units of `text`. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
