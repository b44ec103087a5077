/** A token bucket: it holds up to `capacity` and refills at `capacity` per `periodMs`. */
export interface BucketRule {
  readonly capacity: number;
  readonly periodMs: number;
}

/** The state of a bucket after a take. */
export interface BucketState {
  readonly allowed: boolean;
  /** Whole units left in the bucket, never negative. */
  readonly remaining: number;
  /** Time until the bucket is full again, in milliseconds. */
  readonly resetMs: number;
  /** Time until the rejected take would be allowed, in milliseconds; 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * State behind the per-key limits, kept apart from the rules so that a store shared by several
 * server processes can replace {@link InMemoryLimitStore}. Every method is atomic for its id.
 */
export interface LimitStore {
  /**
   * Refills bucket `id` to `nowMs` and, if its level is at least `min(cost, capacity)`, takes
   * `cost`. A cost above the level may drive the bucket negative, so a large request is
   * allowed once and later ones wait until it is paid back. With `force`, `cost` is taken
   * without the check, for units known only after the work, such as generated tokens.
   */
  take(
    id: string,
    cost: number,
    rule: BucketRule,
    nowMs: number,
    force?: boolean,
  ): Promise<BucketState>;
  /** Adds one to counter `id` and returns true if it was below `max`; otherwise changes nothing. */
  acquire(id: string, max: number): Promise<boolean>;
  /** Subtracts one from counter `id`, down to 0. */
  release(id: string): Promise<void>;
  /** Adds `amount` to total `id` and returns the new total, or undefined if it was never set. */
  addToTotal(id: string, amount: number): Promise<number | undefined>;
  /** Returns total `id`, or undefined if it was never set. */
  getTotal(id: string): Promise<number | undefined>;
  /** Sets total `id` to `value` unless it is set already, and returns the total. */
  initTotal(id: string, value: number): Promise<number>;
}

interface Bucket {
  level: number;
  updatedMs: number;
}

/** {@link LimitStore} in this process's memory: each server process limits on its own. */
export class InMemoryLimitStore implements LimitStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #counters = new Map<string, number>();
  readonly #totals = new Map<string, number>();

  async take(
    id: string,
    cost: number,
    rule: BucketRule,
    nowMs: number,
    force = false,
  ): Promise<BucketState> {
    const ratePerMs = rule.capacity / rule.periodMs;
    const bucket = this.#buckets.get(id) ?? { level: rule.capacity, updatedMs: nowMs };
    const elapsedMs = Math.max(0, nowMs - bucket.updatedMs);
    bucket.level = Math.min(rule.capacity, bucket.level + elapsedMs * ratePerMs);
    bucket.updatedMs = nowMs;
    this.#buckets.set(id, bucket);

    const needed = Math.min(cost, rule.capacity);
    const allowed = force || bucket.level >= needed;
    if (allowed) bucket.level -= cost;
    return {
      allowed,
      remaining: Math.max(0, Math.floor(bucket.level)),
      resetMs: Math.ceil((rule.capacity - bucket.level) / ratePerMs),
      retryAfterMs: allowed ? 0 : Math.ceil((needed - bucket.level) / ratePerMs),
    };
  }

  async acquire(id: string, max: number): Promise<boolean> {
    const count = this.#counters.get(id) ?? 0;
    if (count >= max) return false;
    this.#counters.set(id, count + 1);
    return true;
  }

  async release(id: string): Promise<void> {
    const count = this.#counters.get(id) ?? 0;
    if (count <= 1) this.#counters.delete(id);
    else this.#counters.set(id, count - 1);
  }

  async addToTotal(id: string, amount: number): Promise<number | undefined> {
    const total = this.#totals.get(id);
    if (total === undefined) return undefined;
    this.#totals.set(id, total + amount);
    return total + amount;
  }

  async getTotal(id: string): Promise<number | undefined> {
    return this.#totals.get(id);
  }

  async initTotal(id: string, value: number): Promise<number> {
    const total = this.#totals.get(id);
    if (total !== undefined) return total;
    this.#totals.set(id, value);
    return value;
  }
}
