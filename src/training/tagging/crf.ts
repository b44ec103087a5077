import { tf } from '../../runtimes/tfjs/backend.js';

/**
 * A linear-chain conditional random field over tag sequences: `transitions[i][j]` scores tag
 * `j` following tag `i`, `start[j]` scores a sequence that begins with `j` and `end[i]` one
 * that ends with `i`. Emission scores come from the network below it, one row of tag scores
 * per token.
 */
export interface CrfWeights {
  /** `[tags, tags]`. */
  transitions: tf.Tensor2D;
  /** `[tags]`. */
  start: tf.Tensor1D;
  /** `[tags]`. */
  end: tf.Tensor1D;
}

/** The same weights as plain arrays, as a model card or a decoder stores them. */
export interface CrfParameters {
  transitions: number[][];
  start: number[];
  end: number[];
}

/**
 * Returns the mean negative log-likelihood of the gold tag sequences, computed with the
 * forward algorithm, so it can be minimized by gradient descent.
 *
 * `emissions` is `[batch, steps, tags]`, `tags` `[batch, steps]` (int32) and `mask`
 * `[batch, steps]` with 1 for real tokens and 0 for padding. Padding must come after the
 * real tokens, and every sequence must have at least one real token.
 */
export function crfNegativeLogLikelihood(
  emissions: tf.Tensor3D,
  tags: tf.Tensor2D,
  mask: tf.Tensor2D,
  weights: CrfWeights,
): tf.Scalar {
  return tf.tidy(() => {
    const logPartition = crfLogPartition(emissions, mask, weights);
    const gold = goldPathScore(emissions, tags, mask, weights);
    return tf.mean(tf.sub(logPartition, gold)) as tf.Scalar;
  });
}

/** Returns the log of the sum over every tag sequence of its exponentiated score, `[batch]`. */
export function crfLogPartition(
  emissions: tf.Tensor3D,
  mask: tf.Tensor2D,
  weights: CrfWeights,
): tf.Tensor1D {
  return tf.tidy(() => {
    const steps = emissions.shape[1];
    const stepEmissions = tf.unstack(emissions, 1) as tf.Tensor2D[];
    const stepMasks = tf.unstack(mask, 1).map((column) => tf.expandDims(column, 1));
    // alpha[b][j]: log-sum of the scores of every prefix that ends in tag j.
    let alpha = tf.add(weights.start, stepEmissions[0] as tf.Tensor2D) as tf.Tensor2D;
    for (let step = 1; step < steps; step++) {
      // [batch, from, 1] + [from, to] → log-sum over `from`.
      const scores = tf.add(tf.expandDims(alpha, 2), weights.transitions);
      const next = tf.add(tf.logSumExp(scores, 1), stepEmissions[step] as tf.Tensor2D);
      const keep = stepMasks[step] as tf.Tensor2D;
      // A padded step keeps the alpha of the last real token.
      alpha = tf.add(tf.mul(next, keep), tf.mul(alpha, tf.sub(1, keep))) as tf.Tensor2D;
    }
    return tf.logSumExp(tf.add(alpha, weights.end), 1) as tf.Tensor1D;
  });
}

/** Returns the score of each gold tag sequence, `[batch]`. */
function goldPathScore(
  emissions: tf.Tensor3D,
  tags: tf.Tensor2D,
  mask: tf.Tensor2D,
  weights: CrfWeights,
): tf.Tensor1D {
  const tagCount = emissions.shape[2];
  const steps = emissions.shape[1];
  const oneHot = tf.oneHot(tags, tagCount).toFloat() as tf.Tensor3D;
  const emitted = tf.sum(tf.mul(tf.sum(tf.mul(emissions, oneHot), 2), mask), 1);

  const first = tf.squeeze(tf.slice(oneHot, [0, 0, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
  const started = tf.sum(tf.mul(first, weights.start), 1);

  let transitions: tf.Tensor = tf.zerosLike(started);
  if (steps > 1) {
    const previous = tf.slice(oneHot, [0, 0, 0], [-1, steps - 1, -1]);
    const current = tf.slice(oneHot, [0, 1, 0], [-1, steps - 1, -1]);
    // previous · transitions → the score of moving to each tag, then pick the current tag.
    // A 2-D product on the flattened steps, because tfjs 4.22 gets the gradient of a
    // broadcast 3-D × 2-D matMul wrong (it returns a [1, tags, tags] gradient).
    const batch = emissions.shape[0];
    const flat = tf.reshape(previous, [batch * (steps - 1), tagCount]) as tf.Tensor2D;
    const toNext = tf.reshape(tf.matMul(flat, weights.transitions), [batch, steps - 1, tagCount]);
    const moved = tf.sum(tf.mul(toNext, current), 2);
    transitions = tf.sum(tf.mul(moved, tf.slice(mask, [0, 1], [-1, steps - 1])), 1);
  }

  // The last real token of each row: its one-hot row where the mask turns from 1 to 0.
  const nextMask = tf.concat(
    [tf.slice(mask, [0, 1], [-1, steps - 1]), tf.zeros([mask.shape[0], 1])],
    1,
  );
  const isLast = tf.sub(mask, nextMask);
  const lastTags = tf.sum(tf.mul(oneHot, tf.expandDims(isLast, 2)), 1);
  const ended = tf.sum(tf.mul(lastTags, weights.end), 1);

  return tf.add(tf.add(emitted, started), tf.add(transitions, ended)) as tf.Tensor1D;
}

/**
 * Returns the highest-scoring tag sequence for the emission scores of one sequence
 * (`emissions[step * tags + tag]`, `steps` rows), by Viterbi decoding. `allowed`, when
 * given, lists which transitions may occur (`allowed[i][j]` for `j` after `i`), and the
 * first tag must satisfy `allowedStart`.
 */
export function viterbiDecode(
  emissions: Float32Array | readonly number[],
  steps: number,
  crf: CrfParameters,
  constraints: { allowed?: boolean[][]; allowedStart?: boolean[] } = {},
): number[] {
  const tagCount = crf.start.length;
  if (steps === 0) return [];
  if (emissions.length < steps * tagCount) {
    throw new RangeError(`expected ${steps * tagCount} emission scores, got ${emissions.length}`);
  }
  const blocked = Number.NEGATIVE_INFINITY;
  let scores = crf.start.map((score, tag) =>
    constraints.allowedStart?.[tag] === false ? blocked : score + (emissions[tag] as number),
  );
  const backPointers: Int32Array[] = [];
  for (let step = 1; step < steps; step++) {
    const pointers = new Int32Array(tagCount);
    const next = new Array<number>(tagCount);
    for (let to = 0; to < tagCount; to++) {
      let best = blocked;
      let bestFrom = 0;
      for (let from = 0; from < tagCount; from++) {
        if (constraints.allowed?.[from]?.[to] === false) continue;
        const score = (scores[from] as number) + (crf.transitions[from]?.[to] as number);
        if (score > best) {
          best = score;
          bestFrom = from;
        }
      }
      pointers[to] = bestFrom;
      next[to] = best + (emissions[step * tagCount + to] as number);
    }
    backPointers.push(pointers);
    scores = next;
  }

  let last = 0;
  let bestFinal = blocked;
  scores.forEach((score, tag) => {
    const total = score + (crf.end[tag] as number);
    if (total > bestFinal) {
      bestFinal = total;
      last = tag;
    }
  });
  const path = [last];
  for (let step = backPointers.length - 1; step >= 0; step--) {
    last = (backPointers[step] as Int32Array)[last] as number;
    path.push(last);
  }
  return path.reverse();
}

/**
 * Returns which transitions a BIO (IOB2) tag set permits: `I-X` only after `B-X` or `I-X`,
 * and never first. Other tags are unconstrained.
 */
export function bioConstraints(tags: readonly string[]): {
  allowed: boolean[][];
  allowedStart: boolean[];
} {
  const insideType = (tag: string): string | undefined =>
    tag.startsWith('I-') ? tag.slice(2) : undefined;
  const typeOf = (tag: string): string | undefined =>
    tag.startsWith('B-') || tag.startsWith('I-') ? tag.slice(2) : undefined;
  return {
    allowed: tags.map((from) =>
      tags.map((to) => {
        const inside = insideType(to);
        return inside === undefined || typeOf(from) === inside;
      }),
    ),
    allowedStart: tags.map((tag) => insideType(tag) === undefined),
  };
}
