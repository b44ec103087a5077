import type { tf } from '../../runtimes/tfjs/backend.js';

/**
 * The epoch with the best validation F1 of a training run, with a copy of its weights and its
 * report, for early stopping and for restoring the best weights at the end.
 */
export class BestEpoch<Report> {
  #best: { f1: number; epoch: number; weights: tf.Tensor[]; report: Report } | undefined;

  /** Epoch with the best F1 so far, or 0 before the first {@link record}. */
  get epoch(): number {
    return this.#best?.epoch ?? 0;
  }

  /**
   * Copies `variables` when the F1 of `epoch` beats the best so far, and returns whether it
   * did. While no F1 is above 0, the latest weights count as the best.
   */
  record(epoch: number, f1: number, report: Report, variables: readonly tf.Variable[]): boolean {
    const best = this.#best;
    const improved = best === undefined || f1 > best.f1 || (f1 === 0 && best.f1 === 0);
    if (!improved) return false;
    best?.weights.forEach((weight) => weight.dispose());
    this.#best = { f1, epoch, report, weights: variables.map((variable) => variable.clone()) };
    return true;
  }

  /**
   * Returns whether `patience` epochs up to `epoch` brought no better F1. Patience starts
   * counting once the F1 is above 0, because the first epochs of a small set often score 0.
   */
  stalled(epoch: number, patience: number): boolean {
    const best = this.#best;
    return best !== undefined && best.f1 > 0 && epoch - best.epoch >= patience;
  }

  /**
   * Assigns the best weights to `variables`, in the order they were recorded, frees the copy
   * and returns the best epoch and its report.
   *
   * @throws Error when no epoch was recorded.
   */
  restore(variables: readonly tf.Variable[]): { epoch: number; report: Report } {
    const best = this.#best;
    if (best === undefined) throw new Error('a tagger needs at least one epoch');
    variables.forEach((variable, index) => variable.assign(best.weights[index] as tf.Tensor));
    this.dispose();
    return { epoch: best.epoch, report: best.report };
  }

  /** Frees the copied weights. */
  dispose(): void {
    this.#best?.weights.forEach((weight) => weight.dispose());
    this.#best = undefined;
  }
}
