import { MaasError } from '../../errors/index.js';

/** Maximum number of invalid rows that an error message and its `details.lines` list. */
export const MAX_LISTED_ROW_PROBLEMS = 20;

/** One unusable row: its 1-based line and what is wrong with it. */
export interface RowProblem {
  line: number;
  reason: string;
}

/**
 * Collector of unusable rows, so that one error can report every bad row of a file. Keeps the
 * first {@link MAX_LISTED_ROW_PROBLEMS} problems and counts the rest.
 */
export class RowProblems {
  private readonly listed: RowProblem[] = [];
  private total = 0;

  /** Number of problems added so far, including those not listed. */
  get count(): number {
    return this.total;
  }

  /** Records that the row starting on `line` cannot be used because of `reason`. */
  add(line: number, reason: string): void {
    this.total++;
    if (this.listed.length < MAX_LISTED_ROW_PROBLEMS) {
      this.listed.push({ line, reason });
    }
  }

  /**
   * Throws MAAS_ERR_DATASET_INVALID if any problem was added. The message lists the first
   * problems as `line 7: label is empty`, and `details` is `{ lines, count }` with the listed
   * line numbers and the full count.
   */
  throwIfAny(): void {
    if (this.total === 0) {
      return;
    }
    const listedText = this.listed.map((problem) => `line ${problem.line}: ${problem.reason}`);
    const unlisted = this.total - this.listed.length;
    const moreText = unlisted > 0 ? `; and ${unlisted} more not listed` : '';
    const rows = this.total === 1 ? 'row' : 'rows';
    throw new MaasError(
      'MAAS_ERR_DATASET_INVALID',
      `Dataset has ${this.total} invalid ${rows}: ${listedText.join('; ')}${moreText}. ` +
        'Fix or remove these rows and try again.',
      { details: { lines: this.listed.map((problem) => problem.line), count: this.total } },
    );
  }
}
