import { viterbiDecode, type CrfParameters } from './crf.js';

/**
 * Returns the tag index of each of the first `steps` tokens from their output rows
 * (`scores[step * width + tag]`): the Viterbi path under `constraints` for a CRF tagger,
 * else the most probable tag of each token.
 */
export function decodeTags(
  scores: Float32Array,
  steps: number,
  width: number,
  crf: CrfParameters | null,
  constraints: { allowed: boolean[][]; allowedStart: boolean[] },
): number[] {
  if (crf !== null)
    return viterbiDecode(scores.subarray(0, steps * width), steps, crf, constraints);
  const path: number[] = [];
  for (let step = 0; step < steps; step++) {
    let best = 0;
    for (let tag = 1; tag < width; tag++) {
      if ((scores[step * width + tag] as number) > (scores[step * width + best] as number)) {
        best = tag;
      }
    }
    path.push(best);
  }
  return path;
}

/**
 * Returns the softmax of each token's row. A CRF tagger's emissions become per-token
 * probabilities this way; they ignore the transitions, so they only approximate the
 * probability of the decoded tag.
 */
export function softmaxRows(scores: Float32Array, steps: number, width: number): Float32Array {
  const output = new Float32Array(steps * width);
  for (let step = 0; step < steps; step++) {
    const row = scores.subarray(step * width, (step + 1) * width);
    const max = Math.max(...row);
    let sum = 0;
    for (let tag = 0; tag < width; tag++) {
      const value = Math.exp((row[tag] as number) - max);
      output[step * width + tag] = value;
      sum += value;
    }
    for (let tag = 0; tag < width; tag++) output[step * width + tag]! /= sum;
  }
  return output;
}
