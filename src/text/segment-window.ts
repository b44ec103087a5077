/**
 * Word segmentation of arbitrarily long text with `Intl.Segmenter`, one bounded window at a
 * time.
 *
 * On Node 20 (V8 11.3) each step of a `Segments` iterator costs time proportional to the
 * length of the whole input, so segmenting one long string is quadratic. Measured with Node
 * 20.20.2 on an AMD EPYC virtual machine, a 76,000-character English text took about 2 s and
 * a 152,000-character one about 18 s. Windows of at most {@link WINDOW_LENGTH} code units
 * keep the cost linear. Text no longer than one window gets exactly the boundaries of a
 * single `segment()` call, except where {@link segmentWindow} merges segments.
 */

/**
 * Maximum length, in UTF-16 code units, of a string passed to `Intl.Segmenter.segment`. Of
 * 128, 256, 512, 1024 and 2048, 256 segmented 240,000 characters of Chinese or of English
 * fastest on the same machine.
 */
const WINDOW_LENGTH = 256;

/**
 * The minimum number of code units kept after a cut between two word-like segments. ICU
 * chooses Chinese and Japanese word boundaries over a whole run of ideographs, so boundaries
 * near a window's end can differ from those in the full text.
 *
 * NOTE: that boundaries this far from the end match the full text is an assumption, checked
 * only by tests in which 27,000 characters of unpunctuated Chinese segment exactly as with
 * one `segment()` call.
 */
const CUT_CONTEXT_LENGTH = 64;

// ICU applies its Chinese and Japanese dictionary whatever the locale (on Node 20.20.2, 'en'
// and the default locale segment Chinese the same way), so 'zh' only states the intent.
const WORD_SEGMENTER = new Intl.Segmenter('zh', { granularity: 'word' });
const GRAPHEME_SEGMENTER = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** A word segment of the input, possibly a space or punctuation. */
export interface WordSegment {
  /** The segment's text. Consecutive segments concatenate to the input. */
  text: string;
  /** Whether `Intl.Segmenter` marks the segment as a word (letters, numbers, ideographs). */
  isWordLike: boolean;
}

interface WindowSegment extends WordSegment {
  /** Offset in the window, in code units. */
  index: number;
}

/**
 * Yields the word segments of `text` in order. Every segment consists of whole grapheme
 * clusters, except when a single grapheme cluster is longer than a window.
 */
export function* segmentWords(text: string): Generator<WordSegment> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + WINDOW_LENGTH);
    // A window ending between the halves of a surrogate pair would see a lone surrogate and
    // cut, for example, a skin tone modifier off its emoji.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    const window = text.slice(start, end);
    const boundaries = findGraphemeBoundaries(window);
    const segments = segmentWindow(window, boundaries);
    const cut = end === text.length ? window.length : chooseCut(window, segments, boundaries);
    for (const { text: segmentText, index, isWordLike } of segments) {
      if (index >= cut) break;
      // Only a forced cut inside an overlong segment shortens a segment here.
      const finalText = index + segmentText.length > cut ? window.slice(index, cut) : segmentText;
      yield { text: finalText, isWordLike };
    }
    start += cut;
  }
}

/** Marks each code-unit offset of `window` where a grapheme cluster starts, and its end. */
function findGraphemeBoundaries(window: string): Uint8Array {
  const boundaries = new Uint8Array(window.length + 1);
  for (const { index } of GRAPHEME_SEGMENTER.segment(window)) boundaries[index] = 1;
  boundaries[window.length] = 1;
  return boundaries;
}

/**
 * Segments `window` into words and merges any word segments that would split a grapheme
 * cluster. ICU splits some clusters that survive NFKC, such as a leading Hangul jamo before
 * a syllable (U+1100 U+AC00) and U+0600 ARABIC NUMBER SIGN before a Hangul syllable.
 */
function segmentWindow(window: string, boundaries: Uint8Array): WindowSegment[] {
  const segments: WindowSegment[] = [];
  let pending: WindowSegment | undefined;
  for (const { segment, index, isWordLike } of WORD_SEGMENTER.segment(window)) {
    if (pending === undefined) {
      pending = { text: segment, index, isWordLike: isWordLike === true };
    } else {
      pending.text += segment;
      pending.isWordLike ||= isWordLike === true;
    }
    if (boundaries[index + segment.length] === 1) {
      segments.push(pending);
      pending = undefined;
    }
  }
  if (pending !== undefined) segments.push(pending);
  return segments;
}

/**
 * Chooses where the segments of a window that does not reach the end of the text stop being
 * final. The last segment is never final, because the text beyond the window may extend it.
 */
function chooseCut(window: string, segments: WindowSegment[], boundaries: Uint8Array): number {
  const last = segments.length - 1;

  // A boundary after a space, punctuation or emoji depends only on the code points on either
  // side of it. The window contains whole code points, so the boundary is as in the full text.
  for (let i = last - 1; i >= 0; i -= 1) {
    if (!(segments[i] as WindowSegment).isWordLike) return (segments[i + 1] as WindowSegment).index;
  }

  // A run of words with no space or punctuation, such as unpunctuated Chinese.
  for (let i = last; i >= 1; i -= 1) {
    const index = (segments[i] as WindowSegment).index;
    if (index <= window.length - CUT_CONTEXT_LENGTH) return index;
  }
  if (last >= 1) return (segments[last] as WindowSegment).index;

  return findForcedCut(window, boundaries);
}

/** Cuts a single segment that fills the whole window, at its last grapheme boundary. */
function findForcedCut(window: string, boundaries: Uint8Array): number {
  for (let index = window.length - 1; index > 0; index -= 1) {
    if (boundaries[index] === 1) return index;
  }
  // One grapheme cluster, such as a letter with hundreds of combining marks, fills the window.
  return window.length;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
