import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppContext } from '../app/context.js';
import { installAuth } from './auth.js';
import { installJsonParser } from './body-parser.js';
import { installErrorHandlers } from './error-handler.js';
import { clientErrorHandler, frameworkErrorHandler } from './framework-errors.js';
import type { ServingMetrics } from '../serving/metrics.js';
import { registerDatasetRoutes } from './routes/datasets.js';
import { collectRouteTable, type RouteEntry } from './route-access.js';
import { registerHealthRoutes, type Readiness } from './routes/health.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerModelLoadingRoutes } from './routes/model-loading.js';
import { registerModelRoutes } from './routes/models.js';
import { registerOpenAiRoutes } from './routes/openai/index.js';
import { registerPredictRoute } from './routes/predict.js';
import { registerTrainingJobRoutes } from './routes/training-jobs.js';
import { TrainingJobs } from '../training/jobs/training-jobs.js';
import { registerUsageRoutes } from './routes/usage.js';
import { installSecurity } from './security.js';

/** Client-sent request ids that are echoed and logged; others are replaced by a UUID. */
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

export interface Server {
  readonly app: FastifyInstance;
  readonly readiness: Readiness;
  /** Training jobs; the runner starts when the server is ready and stops when it closes. */
  readonly jobs: TrainingJobs;
  /** Every registered route with the access it needs, filled as routes register. */
  readonly routes: readonly RouteEntry[];
  /**
   * Loads the bundled models and pins the references of `serving.pinned_models`; `/readyz`
   * reports ready once all of them are loaded.
   */
  warmUp(): Promise<void>;
}

/** Builds the HTTP server over a context. It does not listen: call `app.listen` or `inject`. */
export function buildServer(context: AppContext, logger: Logger): Server {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // The onResponse hook below writes the one line per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: context.settings['server.body_limit'],
    // Reject wrong types instead of coercing them: {"inputs": 5} must not become "5".
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    requestTimeout: context.settings['server.request_timeout_ms'],
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Model names are up to 128 characters and `name@alias` up to 193; Fastify's default is 100.
    routerOptions: { maxParamLength: 256 },
    requestIdHeader: false,
    genReqId: (request) => {
      const sent = request.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID_PATTERN.test(sent) ? sent : crypto.randomUUID();
    },
  });
  // Fastify parses text/plain by default; without this a plain-text body would reach schema
  // validation and get 400 instead of 415.
  app.removeContentTypeParser('text/plain');
  installJsonParser(app);
  const readiness: Readiness = { ready: false, reason: 'bundled models are loading' };
  // First, so that the table and the scope check see every route.
  const routes = collectRouteTable(app);

  installErrorHandlers(app, { bodyLimit: context.settings['server.body_limit'] });
  installSecurity(app, { corsOrigins: context.settings['cors.origins'] });
  logAndCountRequests(app, context.metrics);
  installAuth(app, context.tenancy, {
    host: context.settings.host,
    required: context.settings['auth.required'],
  });
  registerHealthRoutes(app, context, readiness);
  if (context.settings['metrics.enabled']) registerMetricsRoute(app, context.metrics);
  registerModelRoutes(app, context);
  registerModelLoadingRoutes(app, context);
  registerPredictRoute(app, context);
  registerOpenAiRoutes(app, context);
  registerDatasetRoutes(app, context);
  const jobs = new TrainingJobs(context, logger);
  registerTrainingJobRoutes(app, jobs);
  app.addHook('onReady', async () => jobs.runner.start());
  app.addHook('onClose', async () => jobs.runner.close());
  registerKeyRoutes(app, context);
  registerUsageRoutes(app, context);

  return {
    app,
    readiness,
    jobs,
    routes,
    async warmUp() {
      const failed: string[] = [];
      const pinned = pinnedReferences(context.settings['serving.pinned_models']);
      const load = async (reference: string, pin: boolean): Promise<void> => {
        readiness.reason = `loading ${reference}`;
        try {
          await (pin ? context.pool.pin(reference) : context.pool.get(reference));
        } catch (error) {
          // The pool logs load failures, but not a reference that does not resolve.
          logger.error({ model: reference, err: error }, 'model failed to load at start');
          failed.push(reference);
        }
      };
      // Pinned models first, so that no unload can slip in while they load.
      for (const reference of pinned) await load(reference, true);
      for (const reference of context.bundled) await load(reference, false);
      readiness.ready = failed.length === 0;
      readiness.reason =
        failed.length === 0 ? '' : `failed to load ${failed.join(', ')}; see the server log`;
    },
  };
}

/** Splits `serving.pinned_models` into model references, dropping empty entries. */
export function pinnedReferences(setting: string): string[] {
  return setting
    .split(',')
    .map((reference) => reference.trim())
    .filter((reference) => reference !== '');
}

/**
 * Logs one line per request (`info` up to 4xx, `warn` for 503 and 504, `error` for other
 * 5xx) and counts it in the metrics.
 * The body and input text are never logged.
 */
function logAndCountRequests(app: FastifyInstance, metrics: ServingMetrics): void {
  app.addHook('onRequest', async (request, reply) => {
    const started = Date.now();
    void reply.header('x-request-id', reply.request.id);
    // A connection closed before the response finished: no onResponse follows, so the
    // request is logged and counted here as 499, nginx's "client closed request".
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished) return;
      const fields = {
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: request.url.split('?')[0],
        status: 499,
        model: (request as { modelReference?: string }).modelReference,
        ms: Date.now() - started,
      };
      metrics.observeRequest({
        route: fields.route ?? 'unmatched',
        method: fields.method,
        status: 499,
        model: fields.model ?? '',
        seconds: fields.ms / 1000,
      });
      request.log.info(fields, 'request aborted by the client');
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    metrics.observeRequest({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status,
      model: (request as { modelReference?: string }).modelReference ?? '',
      seconds: reply.elapsedTime / 1000,
    });
    const fields = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: request.url.split('?')[0],
      status,
      model: (request as { modelReference?: string }).modelReference,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (status === 503 && fields.route === '/readyz') {
      // A not-ready response while models load is the probe working, not a fault.
      request.log.info(fields, 'request completed');
    } else if (status === 503 || status === 504) {
      // Overload, unloads and deadlines come from the load, not from a fault.
      request.log.warn(fields, 'request completed');
    } else if (status >= 500) {
      request.log.error(fields, 'request completed');
    } else {
      request.log.info(fields, 'request completed');
    }
  });
}
