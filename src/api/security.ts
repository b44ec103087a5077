import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * Headers sent with every response. The API serves JSON only, so nothing may be framed,
 * sniffed as another type, or load subresources.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/** Splits `cors.origins` into origins; `*` allows any origin. */
export function corsOrigins(setting: string): string[] {
  return setting
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

/**
 * Adds the security headers to every response and, when `cors.origins` names any origin,
 * allows CORS requests from those origins. With an empty setting, CORS stays off and browsers
 * block cross-origin calls.
 */
export function installSecurity(app: FastifyInstance, options: { corsOrigins: string }): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.headers(SECURITY_HEADERS);
    return payload;
  });

  const origins = corsOrigins(options.corsOrigins);
  if (origins.length === 0) return;
  // Fastify queues the plugin and loads it before the server is ready.
  void app.register(cors, {
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id'],
    exposedHeaders: [
      'retry-after',
      'x-request-id',
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-tokens',
    ],
    maxAge: 600,
  });
}
