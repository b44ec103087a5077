import { DEFAULT_NORMALIZE_OPTIONS, normalizeText } from '../text/index.js';

/** Characters per shingle, the unit two texts are compared by. */
export const NEAR_DUPLICATE_SHINGLE_LENGTH = 5;

/**
 * Share of the shorter text's shingles that must occur in the other text for the two to count
 * as near-duplicates.
 */
export const NEAR_DUPLICATE_CONTAINMENT = 0.5;

/**
 * A shingle found in more indexed texts than this is a common phrase rather than evidence of a
 * copy, and is not used to find candidates.
 */
export const COMMON_SHINGLE_TEXTS = 50;

/**
 * Finds texts that repeat an indexed text: exact copies after normalization, and near copies
 * that differ in white space, punctuation, symbols, a few characters, or by a cut end or
 * start. Two texts are near-duplicates when at least {@link NEAR_DUPLICATE_CONTAINMENT} of the
 * shorter text's character shingles occur in the other. Shingles are kept as 32-bit hashes; a
 * hash collision can only add a match, never hide one.
 */
export class NearDuplicateIndex {
  private readonly exact = new Set<string>();
  private readonly shingleCounts: number[] = [];
  private readonly postings = new Map<number, number[]>();

  constructor(texts: Iterable<string>) {
    for (const text of texts) {
      const key = comparisonKey(text);
      this.exact.add(key);
      const shingles = shingleHashes(key);
      const id = this.shingleCounts.length;
      this.shingleCounts.push(shingles.size);
      for (const shingle of shingles) {
        const posting = this.postings.get(shingle);
        if (posting === undefined) {
          this.postings.set(shingle, [id]);
        } else if (posting.length <= COMMON_SHINGLE_TEXTS) {
          posting.push(id);
        }
      }
    }
  }

  /** Returns whether `text` is an exact or near copy of an indexed text. */
  has(text: string): boolean {
    const key = comparisonKey(text);
    if (this.exact.has(key)) return true;
    const shingles = shingleHashes(key);
    if (shingles.size === 0) return false;
    const shared = new Map<number, number>();
    for (const shingle of shingles) {
      const posting = this.postings.get(shingle);
      if (posting === undefined || posting.length > COMMON_SHINGLE_TEXTS) continue;
      for (const id of posting) shared.set(id, (shared.get(id) ?? 0) + 1);
    }
    for (const [id, count] of shared) {
      const shorter = Math.min(shingles.size, this.shingleCounts[id] as number);
      if (count >= NEAR_DUPLICATE_CONTAINMENT * shorter) return true;
    }
    return false;
  }
}

/** Normalized text without white space, punctuation or symbols. */
export function comparisonKey(text: string): string {
  return normalizeText(text, DEFAULT_NORMALIZE_OPTIONS).replace(/[\s\p{P}\p{S}]+/gu, '');
}

function shingleHashes(key: string): Set<number> {
  const characters = Array.from(key);
  const hashes = new Set<number>();
  if (characters.length === 0) return hashes;
  const last = Math.max(0, characters.length - NEAR_DUPLICATE_SHINGLE_LENGTH);
  for (let start = 0; start <= last; start++) {
    hashes.add(fnv1a(characters.slice(start, start + NEAR_DUPLICATE_SHINGLE_LENGTH).join('')));
  }
  return hashes;
}

/** 32-bit FNV-1a hash of the UTF-16 code units of `text`. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
