import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Settings } from '../config/index.js';
import type { DatabaseSchema } from '../storage/index.js';
import { AuditLog } from './audit-log.js';
import { KeyStore } from './key-store.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { InMemoryLimitStore, type LimitStore } from './limits/store.js';
import { UsageMeter } from './usage-meter.js';

export { AuditLog, type AuditEntry, type AuditEvent, type AuditQuery } from './audit-log.js';
export { ensureAuthConfigured, isLoopbackHost, type BootstrapResult } from './bootstrap.js';
export {
  KeyStore,
  checkKeyName,
  type ApiKey,
  type CreateKeyOptions,
  type CreatedKey,
  type KeyLimits,
} from './key-store.js';
export {
  LimitError,
  RateLimiter,
  monthOf,
  type Admission,
  type EffectiveLimits,
  type LimitHeaders,
} from './limits/rate-limiter.js';
export {
  InMemoryLimitStore,
  type BucketRule,
  type BucketState,
  type LimitStore,
} from './limits/store.js';
export { SCOPES, checkScopes, isScope, parseScopes, type Scope } from './scopes.js';
export {
  countCharacters,
  countEncodedTokens,
  type TokenCounts,
  type TokenUnit,
} from './token-count.js';
export { UsageMeter, type UsageEvent, type UsageQuery, type UsageRow } from './usage-meter.js';

/** Key id under which usage is recorded while auth is off. */
export const ANONYMOUS_KEY_ID = 'anonymous';

/** The tenancy services of one process. */
export interface Tenancy {
  readonly keys: KeyStore;
  readonly limiter: RateLimiter;
  readonly usage: UsageMeter;
  readonly audit: AuditLog;
  /** Writes the buffered usage; the database stays open. */
  close(): Promise<void>;
}

/** Creates the tenancy services over the metadata database, with limits kept in `store`. */
export function createTenancy(
  db: Kysely<DatabaseSchema>,
  settings: Settings,
  logger: Logger,
  store: LimitStore = new InMemoryLimitStore(),
): Tenancy {
  const usage = new UsageMeter(db, {
    flushIntervalMs: settings['usage.flush_interval_ms'],
    maxPendingRows: settings['usage.max_pending_rows'],
    logger,
  });
  const limiter = new RateLimiter(
    store,
    {
      rpm: settings['keys.default_rpm'],
      tpm: settings['keys.default_tpm'],
      maxConcurrent: settings['keys.default_max_concurrent'],
      monthlyTokens: settings['keys.default_monthly_tokens'],
    },
    (keyId, month) => usage.monthTokens(keyId, month),
  );
  return {
    keys: new KeyStore(db),
    limiter,
    usage,
    audit: new AuditLog(db),
    close: () => usage.close(),
  };
}
