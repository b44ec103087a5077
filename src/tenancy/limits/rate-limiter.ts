import { MaasError, type MaasErrorOptions } from '../../errors/index.js';
import type { KeyLimits } from '../key-store.js';
import type { BucketState, LimitStore } from './store.js';

/** Limits in force for one key: a number for each, 0 for no limit. */
export type EffectiveLimits = { readonly [Name in keyof KeyLimits]: number };

/** Reads the tokens that a key has used in a UTC month (`YYYY-MM`), from durable usage. */
export type MonthUsageLoader = (keyId: string, month: string) => Promise<number>;

/** Response headers that describe the limits of a key, by header name. */
export type LimitHeaders = Record<string, string>;

/** An admitted request: its limit headers and the release of its concurrency slot. */
export interface Admission {
  readonly headers: LimitHeaders;
  /** Frees the concurrency slot; calls after the first do nothing. */
  release(): void;
}

const MINUTE_MS = 60_000;

/** A 429 error with the limit headers to send along. */
export class LimitError extends MaasError {
  readonly headers: LimitHeaders;

  constructor(
    code: 'MAAS_ERR_RATE_LIMITED' | 'MAAS_ERR_QUOTA_EXCEEDED',
    message: string,
    options: MaasErrorOptions & { headers?: LimitHeaders },
  ) {
    super(code, message, options);
    this.headers = options.headers ?? {};
  }
}

/** Returns the UTC month of `nowMs` as `YYYY-MM`. */
export function monthOf(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 7);
}

function msUntilNextMonth(nowMs: number): number {
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - nowMs;
}

/**
 * Per-key limits: requests per minute and tokens per minute as token buckets that refill
 * evenly over a minute, requests in flight, and tokens per calendar month (UTC). The state
 * lives in a {@link LimitStore}.
 */
export class RateLimiter {
  readonly #store: LimitStore;
  readonly #defaults: EffectiveLimits;
  readonly #loadMonthUsage: MonthUsageLoader;

  constructor(store: LimitStore, defaults: EffectiveLimits, loadMonthUsage: MonthUsageLoader) {
    this.#store = store;
    this.#defaults = defaults;
    this.#loadMonthUsage = loadMonthUsage;
  }

  /** Fills the unset limits of a key from the `keys.default_*` settings. */
  effectiveLimits(limits: KeyLimits): EffectiveLimits {
    return {
      rpm: limits.rpm ?? this.#defaults.rpm,
      tpm: limits.tpm ?? this.#defaults.tpm,
      maxConcurrent: limits.maxConcurrent ?? this.#defaults.maxConcurrent,
      monthlyTokens: limits.monthlyTokens ?? this.#defaults.monthlyTokens,
    };
  }

  /**
   * Admits one request of `keyId`: checks the monthly quota, takes a concurrency slot and one
   * request from the per-minute bucket.
   *
   * @throws LimitError `MAAS_ERR_QUOTA_EXCEEDED` or `MAAS_ERR_RATE_LIMITED` with the seconds
   *   to wait and the limit headers to send.
   */
  async admit(keyId: string, limits: EffectiveLimits, nowMs = Date.now()): Promise<Admission> {
    const headers: LimitHeaders = {};
    if (limits.monthlyTokens > 0) {
      const used = await this.#monthTotal(keyId, nowMs);
      if (used >= limits.monthlyTokens) throw quotaExceeded(limits.monthlyTokens, used, nowMs);
    }

    const slot = `concurrent:${keyId}`;
    if (limits.maxConcurrent > 0 && !(await this.#store.acquire(slot, limits.maxConcurrent))) {
      throw new LimitError(
        'MAAS_ERR_RATE_LIMITED',
        `this API key already has ${limits.maxConcurrent} requests in flight, its limit of concurrent requests; retry when one finishes`,
        { retryAfterSeconds: 1, details: { limit: 'concurrent_requests' } },
      );
    }
    let released = limits.maxConcurrent === 0;
    const release = (): void => {
      if (released) return;
      released = true;
      void this.#store.release(slot);
    };

    if (limits.rpm > 0) {
      const rule = { capacity: limits.rpm, periodMs: MINUTE_MS };
      const state = await this.#store.take(`rpm:${keyId}`, 1, rule, nowMs);
      Object.assign(headers, limitHeaders('requests', limits.rpm, state));
      if (!state.allowed) {
        release();
        throw rateLimited('requests', limits.rpm, state, headers);
      }
    }
    return { headers, release };
  }

  /**
   * Counts `tokens` against the tokens-per-minute bucket and the monthly quota of `keyId` and
   * returns the token limit headers. Input tokens are checked first; output tokens, known only
   * after the work, are always counted and delay the key's next requests instead.
   *
   * @throws LimitError `MAAS_ERR_RATE_LIMITED` or `MAAS_ERR_QUOTA_EXCEEDED`, for input tokens
   *   only.
   */
  async chargeTokens(
    keyId: string,
    limits: EffectiveLimits,
    tokens: number,
    kind: 'input' | 'output',
    nowMs = Date.now(),
  ): Promise<LimitHeaders> {
    const headers: LimitHeaders = {};
    const force = kind === 'output';
    if (limits.monthlyTokens > 0) {
      const used = await this.#monthTotal(keyId, nowMs);
      if (!force && used + tokens > limits.monthlyTokens) {
        throw quotaExceeded(limits.monthlyTokens, used, nowMs, tokens);
      }
    }
    if (limits.tpm > 0) {
      const rule = { capacity: limits.tpm, periodMs: MINUTE_MS };
      const state = await this.#store.take(`tpm:${keyId}`, tokens, rule, nowMs, force);
      Object.assign(headers, limitHeaders('tokens', limits.tpm, state));
      if (!state.allowed) throw rateLimited('tokens', limits.tpm, state, headers);
    }
    if (limits.monthlyTokens > 0) {
      await this.#store.addToTotal(`month:${keyId}:${monthOf(nowMs)}`, tokens);
    }
    return headers;
  }

  async #monthTotal(keyId: string, nowMs: number): Promise<number> {
    const month = monthOf(nowMs);
    const id = `month:${keyId}:${month}`;
    const total = await this.#store.getTotal(id);
    if (total !== undefined) return total;
    return this.#store.initTotal(id, await this.#loadMonthUsage(keyId, month));
  }
}

/** `x-ratelimit-limit-<unit>`, `-remaining-<unit>` and `-reset-<unit>` (seconds to full). */
function limitHeaders(unit: string, limit: number, state: BucketState): LimitHeaders {
  return {
    [`x-ratelimit-limit-${unit}`]: String(limit),
    [`x-ratelimit-remaining-${unit}`]: String(state.remaining),
    [`x-ratelimit-reset-${unit}`]: String(Math.ceil(state.resetMs / 1000)),
  };
}

function rateLimited(
  unit: 'requests' | 'tokens',
  limit: number,
  state: BucketState,
  headers: LimitHeaders,
): LimitError {
  const seconds = Math.max(1, Math.ceil(state.retryAfterMs / 1000));
  return new LimitError(
    'MAAS_ERR_RATE_LIMITED',
    `this API key is over its limit of ${limit} ${unit} per minute; retry after ${seconds} s`,
    {
      retryAfterSeconds: seconds,
      details: { limit: `${unit}_per_minute` },
      headers,
    },
  );
}

function quotaExceeded(quota: number, used: number, nowMs: number, requested = 0): LimitError {
  const seconds = Math.ceil(msUntilNextMonth(nowMs) / 1000);
  const what =
    requested === 0
      ? `has used ${used} of its ${quota} tokens this month`
      : `has used ${used} of its ${quota} tokens this month, and this request needs ${requested}`;
  return new LimitError(
    'MAAS_ERR_QUOTA_EXCEEDED',
    `this API key ${what}; the quota resets at the start of the next month (UTC), or an admin can raise it`,
    { retryAfterSeconds: seconds, details: { limit: 'monthly_tokens', used, quota } },
  );
}
