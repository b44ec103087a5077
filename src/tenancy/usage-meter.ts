import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { DatabaseSchema, UsageDailyTable } from '../storage/index.js';

/** Counters to add for one request, or for part of one, such as a streamed chunk. */
export interface UsageEvent {
  readonly keyId: string;
  /** Model name, or the empty string for a request that ran no model. */
  readonly model: string;
  readonly requests?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly computeMs?: number;
  readonly errors?: number;
  /** Time of the event, which picks its UTC day; default now. */
  readonly atMs?: number;
}

/** Filter of {@link UsageMeter.query}; days are inclusive `YYYY-MM-DD` strings in UTC. */
export interface UsageQuery {
  readonly from?: string;
  readonly to?: string;
  readonly keyId?: string;
  readonly model?: string;
}

export type UsageRow = UsageDailyTable;

/** Options of {@link UsageMeter}. */
export interface UsageMeterOptions {
  /** Time between writes of the buffered counters, in milliseconds. */
  readonly flushIntervalMs: number;
  /** Buffered rows that trigger a write before the interval ends. */
  readonly maxPendingRows: number;
  readonly logger: Logger;
}

type Counters = Pick<
  UsageDailyTable,
  'requests' | 'input_tokens' | 'output_tokens' | 'compute_ms' | 'errors'
>;

const SEPARATOR = '\u0000';

/**
 * Usage per key, model and UTC day. {@link record} only adds to counters in memory. A timer
 * writes them to the `usage_daily` table in one transaction, adding to the stored rows, so no
 * request waits for a database write. {@link close} writes what is left.
 */
export class UsageMeter {
  readonly #db: Kysely<DatabaseSchema>;
  readonly #options: UsageMeterOptions;
  #pending = new Map<string, Counters>();
  /** The batch of the write in progress, counted by {@link monthTokens} until it commits. */
  #writing = new Map<string, Counters>();
  #flushing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Kysely<DatabaseSchema>, options: UsageMeterOptions) {
    this.#db = db;
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Adds `event` to the buffered counters. */
  record(event: UsageEvent): void {
    const day = new Date(event.atMs ?? Date.now()).toISOString().slice(0, 10);
    this.#add([event.keyId, event.model, day].join(SEPARATOR), {
      requests: event.requests ?? 0,
      input_tokens: event.inputTokens ?? 0,
      output_tokens: event.outputTokens ?? 0,
      compute_ms: Math.round(event.computeMs ?? 0),
      errors: event.errors ?? 0,
    });
    if (this.#pending.size >= this.#options.maxPendingRows) void this.flush();
  }

  #add(id: string, delta: Counters): void {
    const counters = this.#pending.get(id);
    if (counters === undefined) {
      this.#pending.set(id, { ...delta });
      return;
    }
    counters.requests += delta.requests;
    counters.input_tokens += delta.input_tokens;
    counters.output_tokens += delta.output_tokens;
    counters.compute_ms += delta.compute_ms;
    counters.errors += delta.errors;
  }

  /**
   * Writes the buffered counters to the database. Writes run one at a time; a failed write
   * puts its counters back, so the next flush retries them.
   */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#writing = batch;
    const rows = [...batch].map(([id, counters]) => {
      const [key_id = '', model = '', day = ''] = id.split(SEPARATOR);
      return { key_id, model, day, ...counters };
    });
    try {
      await this.#db.transaction().execute(async (transaction) => {
        for (const row of rows) {
          await transaction
            .insertInto('usage_daily')
            .values(row)
            .onConflict((conflict) =>
              conflict.columns(['key_id', 'model', 'day']).doUpdateSet((eb) => ({
                requests: eb('usage_daily.requests', '+', eb.ref('excluded.requests')),
                input_tokens: eb('usage_daily.input_tokens', '+', eb.ref('excluded.input_tokens')),
                output_tokens: eb(
                  'usage_daily.output_tokens',
                  '+',
                  eb.ref('excluded.output_tokens'),
                ),
                compute_ms: eb('usage_daily.compute_ms', '+', eb.ref('excluded.compute_ms')),
                errors: eb('usage_daily.errors', '+', eb.ref('excluded.errors')),
              })),
            )
            .execute();
        }
      });
      this.#writing = new Map();
    } catch (error) {
      // Put back without triggering a write, so that a database that stays down is retried
      // at the flush interval rather than in a loop.
      for (const [id, counters] of batch) this.#add(id, counters);
      this.#writing = new Map();
      this.#options.logger.error(
        { err: error, rows: rows.length },
        'usage write failed; retrying at the next flush',
      );
    }
  }

  /** Writes the buffered counters, then returns the stored rows that match, by day, key and model. */
  async query(filter: UsageQuery = {}): Promise<UsageRow[]> {
    await this.flush();
    let query = this.#db.selectFrom('usage_daily').selectAll();
    if (filter.from !== undefined) query = query.where('day', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('day', '<=', filter.to);
    if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
    if (filter.model !== undefined) query = query.where('model', '=', filter.model);
    return query.orderBy('day').orderBy('key_id').orderBy('model').execute();
  }

  /** Returns the input and output tokens of `keyId` in the UTC month `YYYY-MM`, buffered ones included. */
  async monthTokens(keyId: string, month: string): Promise<number> {
    const stored = await this.#db
      .selectFrom('usage_daily')
      .select((eb) =>
        eb.fn.sum<number>(eb('input_tokens', '+', eb.ref('output_tokens'))).as('tokens'),
      )
      .where('key_id', '=', keyId)
      .where('day', '>=', `${month}-01`)
      .where('day', '<=', `${month}-31`)
      .executeTakeFirst();
    let pending = 0;
    for (const [id, counters] of [...this.#pending, ...this.#writing]) {
      const [pendingKey, , day = ''] = id.split(SEPARATOR);
      if (pendingKey === keyId && day.startsWith(month)) {
        pending += counters.input_tokens + counters.output_tokens;
      }
    }
    return Number(stored?.tokens ?? 0) + pending;
  }

  /** Stops the timer and writes the buffered counters. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
