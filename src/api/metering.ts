import type { FastifyRequest } from 'fastify';

import type { ApiKey, EffectiveLimits, LimitHeaders, TokenCounts } from '../tenancy/index.js';

/** Caller state of one request, set by the auth hooks. */
export interface TenantState {
  /** The caller's key, or null while auth is off. */
  readonly key: ApiKey | null;
  /** Key id that usage and audit entries are recorded under. */
  readonly keyId: string;
  readonly limits: EffectiveLimits | null;
  /** Rate limit headers for the response, filled by admission and by {@link meterTokens}. */
  readonly headers: LimitHeaders;
  inputTokens: number;
  outputTokens: number;
  /** Frees the concurrency slot; calls after the first do nothing. */
  release(): void;
  /** Counts tokens against the key's limits and returns the token limit headers. */
  chargeTokens(tokens: number, kind: 'input' | 'output'): Promise<LimitHeaders>;
  /**
   * Records tokens metered after the request's usage row was written, such as the output of
   * a generation that its client cut off. Set once that row is written.
   */
  recordLateUsage?: (counts: { inputTokens: number; outputTokens: number }) => void;
  /** Target of the audit entry of an admin action, when the route has a better one than its parameters. */
  auditTarget?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route that is not open; null on open routes. */
    tenant: TenantState | null;
    /** Model reference the request ran, `name@version`, for logs, metrics and usage. */
    modelReference?: string;
  }
}

/**
 * Counts a request's tokens for usage metering and against its key's tokens-per-minute
 * limit and monthly quota. Call it with input tokens before the model runs, so an over-limit
 * request fails without running, and with output tokens as they are generated (per chunk or
 * at the end). Requests on open routes are not metered.
 *
 * @throws LimitError `MAAS_ERR_RATE_LIMITED` or `MAAS_ERR_QUOTA_EXCEEDED` for input tokens.
 */
export async function meterTokens(request: FastifyRequest, counts: TokenCounts): Promise<void> {
  const tenant = request.tenant;
  if (tenant === null) return;
  const input = counts.input ?? 0;
  const output = counts.output ?? 0;
  if (input > 0) {
    Object.assign(tenant.headers, await tenant.chargeTokens(input, 'input'));
    tenant.inputTokens += input;
  }
  if (output > 0) {
    tenant.outputTokens += output;
    Object.assign(tenant.headers, await tenant.chargeTokens(output, 'output'));
  }
  tenant.recordLateUsage?.({ inputTokens: input, outputTokens: output });
}
