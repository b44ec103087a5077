import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Kysely, Selectable } from 'kysely';

import { MaasError } from '../errors/index.js';
import { assertModelName } from '../registry/index.js';
import type { ApiKeysTable, DatabaseSchema } from '../storage/index.js';
import { checkScopes, type Scope } from './scopes.js';

/** Per-key limits; null means the `keys.default_*` setting applies, 0 means no limit. */
export interface KeyLimits {
  readonly rpm: number | null;
  readonly tpm: number | null;
  readonly maxConcurrent: number | null;
  readonly monthlyTokens: number | null;
}

/** An API key as stored: everything but its secret. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** Model names the key may use; null for every model. */
  readonly models: readonly string[] | null;
  readonly limits: KeyLimits;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** Fields of a new key. */
export interface CreateKeyOptions {
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly models?: readonly string[] | null;
  readonly limits?: Partial<KeyLimits>;
}

/** A new key with its secret, which is shown this once and never stored. */
export interface CreatedKey {
  readonly key: ApiKey;
  readonly secret: string;
}

/** Key names: 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
const KEY_NAME_PATTERN = /^[A-Za-z0-9][\w.-]{0,63}$/;

/** Secrets are `maas_` + the 12 hex digits of the key id + `_` + 32 random bytes in base64url. */
const SECRET_PATTERN = /^maas_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Maximum limit value, which keeps the columns within exactly representable integers. */
const MAX_LIMIT = Number.MAX_SAFE_INTEGER;

/** Time for which {@link KeyStore.anyKeyExists} reuses its result, in milliseconds. */
const KEY_EXISTS_CACHE_MS = 1000;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A hash no real secret has, compared against when the key id is unknown. */
const UNKNOWN_KEY_HASH = hashSecret('');

/**
 * API keys in the metadata database. A secret is 32 random bytes, so an unsalted SHA-256 hash
 * is enough to store it: no dictionary or brute-force search can reach it.
 */
export class KeyStore {
  readonly #db: Kysely<DatabaseSchema>;
  #keyExists: { value: boolean; checkedAt: number } | undefined;

  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  /**
   * Creates a key and returns it with its secret.
   *
   * @throws MaasError `MAAS_ERR_REQUEST_INVALID` for an invalid name, scope or limit, and
   *   `MAAS_ERR_MODEL_NAME_INVALID` for an invalid model name.
   */
  async create(options: CreateKeyOptions, now = new Date()): Promise<CreatedKey> {
    checkKeyName(options.name);
    const scopes = checkScopes(options.scopes);
    const models = options.models ?? null;
    // An empty list would be stored as null, which means every model: reject it instead.
    if (models !== null && models.length === 0) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        'models is an empty list; name at least one model, or leave models out to allow every model',
        { param: 'models' },
      );
    }
    models?.forEach((model) => assertModelName(model));
    const limits = checkLimits(options.limits ?? {});

    const idHex = randomBytes(6).toString('hex');
    const secret = `maas_${idHex}_${randomBytes(32).toString('base64url')}`;
    const row: ApiKeysTable = {
      id: `key_${idHex}`,
      name: options.name,
      secret_hash: hashSecret(secret).toString('hex'),
      scopes: scopes.join(','),
      models: models === null || models.length === 0 ? null : models.join(','),
      rpm: limits.rpm,
      tpm: limits.tpm,
      max_concurrent: limits.maxConcurrent,
      monthly_tokens: limits.monthlyTokens,
      created_at: now.toISOString(),
      revoked_at: null,
    };
    await this.#db.insertInto('api_keys').values(row).execute();
    this.#keyExists = { value: true, checkedAt: Date.now() };
    return { key: toApiKey(row), secret };
  }

  /** Lists every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKey[]> {
    const rows = await this.#db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    return rows.map(toApiKey);
  }

  /** @throws MaasError `MAAS_ERR_KEY_NOT_FOUND`. */
  async get(id: string): Promise<ApiKey> {
    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) throw keyNotFound(id);
    return toApiKey(row);
  }

  /**
   * Revokes a key: requests with it get 401 from then on. Revoking a revoked key keeps its
   * first revocation time.
   *
   * @throws MaasError `MAAS_ERR_KEY_NOT_FOUND`.
   */
  async revoke(id: string, now = new Date()): Promise<ApiKey> {
    await this.#db
      .updateTable('api_keys')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.get(id);
  }

  /**
   * Returns the active key whose secret is `secret`, or undefined. The hashes are compared in
   * constant time, and an unknown key id costs the same comparison.
   */
  async authenticate(secret: string): Promise<ApiKey | undefined> {
    const match = SECRET_PATTERN.exec(secret);
    if (match === null) return undefined;

    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', `key_${match[1]}`)
      .executeTakeFirst();
    const expected = row === undefined ? UNKNOWN_KEY_HASH : Buffer.from(row.secret_hash, 'hex');
    const equal = timingSafeEqual(expected, hashSecret(secret));
    if (row === undefined || !equal || row.revoked_at !== null) return undefined;
    return toApiKey(row);
  }

  /**
   * Returns whether any key, active or revoked, exists. Revoking every key therefore keeps
   * auth on. The result is reused for a second, so a key created by another process turns
   * auth on within that time.
   */
  async anyKeyExists(): Promise<boolean> {
    const cached = this.#keyExists;
    if (
      cached !== undefined &&
      (cached.value || Date.now() - cached.checkedAt < KEY_EXISTS_CACHE_MS)
    ) {
      return cached.value;
    }
    const row = await this.#db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
    this.#keyExists = { value: row !== undefined, checkedAt: Date.now() };
    return row !== undefined;
  }
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: checkScopes(row.scopes.split(',')),
    models: row.models === null ? null : row.models.split(','),
    limits: {
      rpm: row.rpm,
      tpm: row.tpm,
      maxConcurrent: row.max_concurrent,
      monthlyTokens: row.monthly_tokens,
    },
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function keyNotFound(id: string): MaasError {
  return new MaasError(
    'MAAS_ERR_KEY_NOT_FOUND',
    `no API key has the id ${JSON.stringify(id)}; maas keys list shows the ids`,
    { param: 'id' },
  );
}

/** @throws MaasError `MAAS_ERR_REQUEST_INVALID` naming the pattern. */
export function checkKeyName(name: string): void {
  if (!KEY_NAME_PATTERN.test(name)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `invalid key name ${JSON.stringify(name)}: use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      { param: 'name' },
    );
  }
}

const LIMIT_PARAMS: Record<keyof KeyLimits, string> = {
  rpm: 'rpm',
  tpm: 'tpm',
  maxConcurrent: 'max_concurrent',
  monthlyTokens: 'monthly_tokens',
};

function checkLimits(limits: Partial<KeyLimits>): KeyLimits {
  const checked: Record<string, number | null> = {};
  for (const [field, param] of Object.entries(LIMIT_PARAMS)) {
    const value = limits[field as keyof KeyLimits] ?? null;
    if (value !== null && !(Number.isSafeInteger(value) && value >= 0 && value <= MAX_LIMIT)) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `${param} must be a non-negative integer (0 for no limit), got ${JSON.stringify(value)}`,
        { param },
      );
    }
    checked[field] = value;
  }
  return checked as unknown as KeyLimits;
}
