import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AppContext } from '../../src/app/context.js';
import {
  InMemoryLimitStore,
  LimitError,
  RateLimiter,
  ensureAuthConfigured,
  isLoopbackHost,
  parseScopes,
} from '../../src/tenancy/index.js';
import { makeTempDir, openTestContext, removeTempDir } from '../helpers/sentiment-fixture.js';

let root: string;
let context: AppContext;

beforeAll(async () => {
  root = await makeTempDir('keys');
  context = await openTestContext(root);
});

afterAll(async () => {
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

const NO_LIMITS = { rpm: 0, tpm: 0, maxConcurrent: 0, monthlyTokens: 0 };

describe('KeyStore', () => {
  it('authenticates the secret it created', async () => {
    const { key, secret } = await context.tenancy.keys.create({ name: 'a', scopes: ['infer'] });
    expect(secret).toMatch(/^maas_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.id).toBe(`key_${secret.slice(5, 17)}`);
    expect((await context.tenancy.keys.authenticate(secret))?.id).toBe(key.id);
  });

  it('rejects an empty model list', async () => {
    await expect(
      context.tenancy.keys.create({ name: 'empty', scopes: ['infer'], models: [] }),
    ).rejects.toMatchObject({ code: 'MAAS_ERR_REQUEST_INVALID', param: 'models' });
  });

  it('stores only a hash of the secret', async () => {
    const { key, secret } = await context.tenancy.keys.create({ name: 'b', scopes: ['train'] });
    const stored = JSON.stringify(await context.tenancy.keys.get(key.id));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(18));
  });

  it('rejects a changed, malformed or revoked secret', async () => {
    const { key, secret } = await context.tenancy.keys.create({ name: 'c', scopes: ['admin'] });
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    expect(await context.tenancy.keys.authenticate(secret.slice(0, -1) + last)).toBeUndefined();
    expect(await context.tenancy.keys.authenticate('maas_000000000000_x')).toBeUndefined();
    expect(await context.tenancy.keys.authenticate('')).toBeUndefined();
    const revoked = await context.tenancy.keys.revoke(key.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(await context.tenancy.keys.authenticate(secret)).toBeUndefined();
  });

  it('validates names, scopes, models and limits', async () => {
    const keys = context.tenancy.keys;
    await expect(keys.create({ name: '../x', scopes: ['infer'] })).rejects.toThrow(/key name/);
    await expect(keys.create({ name: 'x', scopes: [] })).rejects.toThrow(/at least one/);
    await expect(keys.create({ name: 'x', scopes: ['infer'], models: ['a/b'] })).rejects.toThrow(
      /model name/,
    );
    await expect(
      keys.create({ name: 'x', scopes: ['infer'], limits: { rpm: -1 } }),
    ).rejects.toThrow(/rpm must be a non-negative integer/);
    expect(() => parseScopes('infer,root')).toThrow(/unknown scope "root"/);
    expect(parseScopes('admin, infer,infer')).toEqual(['infer', 'admin']);
  });

  it('reports 404 for an unknown id', async () => {
    await expect(context.tenancy.keys.revoke('key_000000000000')).rejects.toMatchObject({
      code: 'MAAS_ERR_KEY_NOT_FOUND',
    });
  });
});

describe('ensureAuthConfigured', () => {
  it('tells loopback hosts apart', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) {
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) {
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
    }
  });

  it('refuses a public host without keys', async () => {
    const empty = await openTestContext(root);
    try {
      expect(
        await ensureAuthConfigured(empty.tenancy.keys, {
          host: '127.0.0.1',
          bootstrapAdminKey: false,
        }),
      ).toEqual({});
      await expect(
        ensureAuthConfigured(empty.tenancy.keys, { host: '0.0.0.0', bootstrapAdminKey: false }),
      ).rejects.toMatchObject({ code: 'MAAS_ERR_CONFIG_INVALID' });
      const created = await ensureAuthConfigured(empty.tenancy.keys, {
        host: '0.0.0.0',
        bootstrapAdminKey: true,
      });
      const key = await empty.tenancy.keys.authenticate(created.secret as string);
      expect(key?.scopes).toEqual(['infer', 'train', 'admin']);
      expect(
        await ensureAuthConfigured(empty.tenancy.keys, {
          host: '0.0.0.0',
          bootstrapAdminKey: true,
        }),
      ).toEqual({});
    } finally {
      await empty.close();
    }
  });
});

describe('RateLimiter', () => {
  const limiter = (used = 0): RateLimiter =>
    new RateLimiter(new InMemoryLimitStore(), NO_LIMITS, async () => used);

  it('refills requests evenly over a minute', async () => {
    const rate = limiter();
    const limits = { ...NO_LIMITS, rpm: 2 };
    await rate.admit('k', limits, 0);
    const second = await rate.admit('k', limits, 0);
    expect(second.headers['x-ratelimit-remaining-requests']).toBe('0');
    const error = await rate.admit('k', limits, 0).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).retryAfterSeconds).toBe(30);
    expect((error as LimitError).headers['x-ratelimit-reset-requests']).toBe('60');
    await expect(rate.admit('k', limits, 30_000)).resolves.toBeDefined();
  });

  it('frees a concurrency slot once', async () => {
    const rate = limiter();
    const limits = { ...NO_LIMITS, maxConcurrent: 1 };
    const first = await rate.admit('k', limits);
    await expect(rate.admit('k', limits)).rejects.toMatchObject({ code: 'MAAS_ERR_RATE_LIMITED' });
    first.release();
    first.release();
    const second = await rate.admit('k', limits);
    await expect(rate.admit('k', limits)).rejects.toMatchObject({ code: 'MAAS_ERR_RATE_LIMITED' });
    second.release();
  });

  it('lets one large input through, then waits', async () => {
    const rate = limiter();
    const limits = { ...NO_LIMITS, tpm: 10 };
    await rate.chargeTokens('k', limits, 25, 'input', 0);
    await expect(rate.chargeTokens('k', limits, 1, 'input', 0)).rejects.toMatchObject({
      code: 'MAAS_ERR_RATE_LIMITED',
    });
    // Output tokens are counted even over the limit, and push the next input further out.
    await rate.chargeTokens('k', limits, 5, 'output', 0);
    await expect(rate.chargeTokens('k', limits, 1, 'input', 120_000)).rejects.toThrow(
      /10 tokens per minute/,
    );
    await expect(rate.chargeTokens('k', limits, 1, 'input', 130_000)).resolves.toBeDefined();
  });

  it('counts the monthly quota from stored usage', async () => {
    const rate = limiter(8);
    const limits = { ...NO_LIMITS, monthlyTokens: 10 };
    await rate.chargeTokens('k', limits, 2, 'input');
    await expect(rate.chargeTokens('k', limits, 1, 'input')).rejects.toMatchObject({
      code: 'MAAS_ERR_QUOTA_EXCEEDED',
    });
    await expect(rate.admit('k', limits)).rejects.toMatchObject({
      code: 'MAAS_ERR_QUOTA_EXCEEDED',
    });
  });
});
