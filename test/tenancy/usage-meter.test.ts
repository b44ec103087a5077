import { setTimeout as sleep } from 'node:timers/promises';

import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { UsageMeter } from '../../src/tenancy/index.js';
import {
  closeDatabase,
  migrateToLatest,
  openDatabase,
  type DatabaseSchema,
} from '../../src/storage/index.js';
import { silentLogger } from '../helpers/sentiment-fixture.js';

const DAY_MS = 86_400_000;
const NOON = Date.parse('2026-12-04T12:00:00Z');

let db: Kysely<DatabaseSchema>;
let meter: UsageMeter;

beforeEach(async () => {
  db = openDatabase(':memory:');
  await migrateToLatest(db);
  meter = new UsageMeter(db, {
    flushIntervalMs: 3_600_000,
    maxPendingRows: 3,
    logger: silentLogger(),
  });
});

afterEach(async () => {
  await meter.close();
  await closeDatabase(db);
});

function storedRows() {
  return db.selectFrom('usage_daily').selectAll().orderBy('day').orderBy('model').execute();
}

describe('UsageMeter', () => {
  it('sums events per key, model and day', async () => {
    meter.record({ keyId: 'k', model: 'm', requests: 1, inputTokens: 5, atMs: NOON });
    meter.record({ keyId: 'k', model: 'm', requests: 1, outputTokens: 7, errors: 1, atMs: NOON });
    meter.record({ keyId: 'k', model: 'm', requests: 1, computeMs: 2.4, atMs: NOON + DAY_MS });
    expect(await storedRows()).toEqual([]);

    await meter.flush();
    expect(await storedRows()).toEqual([
      expect.objectContaining({
        day: '2026-12-04',
        requests: 2,
        input_tokens: 5,
        output_tokens: 7,
        errors: 1,
      }),
      expect.objectContaining({ day: '2026-12-05', requests: 1, compute_ms: 2 }),
    ]);
  });

  it('adds to stored rows on later writes', async () => {
    meter.record({ keyId: 'k', model: 'm', requests: 1, inputTokens: 5, atMs: NOON });
    await meter.flush();
    meter.record({ keyId: 'k', model: 'm', requests: 2, inputTokens: 1, atMs: NOON });
    await meter.flush();
    expect(await storedRows()).toEqual([expect.objectContaining({ requests: 3, input_tokens: 6 })]);
  });

  it('writes early past max pending rows', async () => {
    for (const model of ['a', 'b', 'c']) meter.record({ keyId: 'k', model, requests: 1 });
    let rows = await storedRows();
    for (let attempt = 0; attempt < 50 && rows.length < 3; attempt += 1) {
      await sleep(10);
      rows = await storedRows();
    }
    expect(rows.map((row) => row.model)).toEqual(['a', 'b', 'c']);
  });

  it('keeps counters when a write fails', async () => {
    meter.record({ keyId: 'k', model: 'm', requests: 1, inputTokens: 4, atMs: NOON });
    await sql`alter table usage_daily rename to usage_daily_away`.execute(db);
    await meter.flush();
    await sql`alter table usage_daily_away rename to usage_daily`.execute(db);
    expect(await storedRows()).toEqual([]);

    meter.record({ keyId: 'k', model: 'm', requests: 1, atMs: NOON });
    await meter.flush();
    expect(await storedRows()).toEqual([expect.objectContaining({ requests: 2, input_tokens: 4 })]);
  });

  it('counts month tokens from stored and buffered rows', async () => {
    meter.record({ keyId: 'k', model: 'm', inputTokens: 3, outputTokens: 4, atMs: NOON });
    await meter.flush();
    meter.record({ keyId: 'k', model: 'n', inputTokens: 10, atMs: NOON });
    meter.record({ keyId: 'other', model: 'n', inputTokens: 100, atMs: NOON });
    meter.record({ keyId: 'k', model: 'n', inputTokens: 1000, atMs: NOON + 30 * DAY_MS });
    expect(await meter.monthTokens('k', '2026-12')).toBe(17);
    expect(await meter.monthTokens('k', '2027-01')).toBe(1000);
  });
});
