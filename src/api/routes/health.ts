import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import { errorBody } from '../error-handler.js';

/** Tracks whether the bundled models have finished loading. */
export interface Readiness {
  ready: boolean;
  /** Reason the server is not ready yet; empty once it is. */
  reason: string;
}

/**
 * `GET /healthz` is liveness only: the process responds. `GET /readyz` reports ready once the
 * bundled models are loaded, and while every loaded model is idle or finishing batches.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  context: AppContext,
  readiness: Readiness,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const loaded = await context.pool.loadedVersions();
    const stalled = context.pool.stalled(Date.now(), context.settings['serving.ready_stale_ms']);
    const reason = !readiness.ready
      ? readiness.reason
      : stalled.length > 0
        ? `${stalled.join(', ')} finished no batch in ${context.settings['serving.ready_stale_ms']} ms while work is queued`
        : '';
    if (reason !== '') {
      const error = new MaasError('MAAS_ERR_NOT_READY', reason, { details: { loaded, stalled } });
      return reply.status(503).header('retry-after', '1').send(errorBody(error));
    }
    return { status: 'ready', models: loaded };
  });
}
