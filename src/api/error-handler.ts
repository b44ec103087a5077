import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, MaasError, type ErrorCode } from '../errors/index.js';
import './route-access.js';

/** The one error body of every native route. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; param?: string; details?: Record<string, unknown> };
}

/** Fastify's own error codes and the registry code each becomes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MAAS_ERR_REQUEST_JSON_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MAAS_ERR_REQUEST_JSON_INVALID',
  FST_ERR_CTP_BODY_TOO_LARGE: 'MAAS_ERR_REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'MAAS_ERR_REQUEST_MEDIA_TYPE_UNSUPPORTED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MAAS_ERR_REQUEST_INVALID',
  FST_ERR_VALIDATION: 'MAAS_ERR_REQUEST_INVALID',
  FST_FILES_LIMIT: 'MAAS_ERR_REQUEST_INVALID',
  FST_FIELDS_LIMIT: 'MAAS_ERR_REQUEST_INVALID',
  FST_PARTS_LIMIT: 'MAAS_ERR_REQUEST_INVALID',
};

/** Turns any thrown value into a MaasError, so every response has one shape. */
export function toMaasError(error: unknown): MaasError {
  if (error instanceof MaasError) {
    return error;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation !== undefined) {
    return validationError(fastifyError);
  }
  const code = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (code !== undefined) {
    return new MaasError(code, describeFastifyError(code, fastifyError), { cause: error });
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
    return new MaasError('MAAS_ERR_REQUEST_INVALID', fastifyError.message, { cause: error });
  }
  return new MaasError(
    'MAAS_ERR_INTERNAL_ERROR',
    'internal server error; the server log has the details',
    { cause: error },
  );
}

function describeFastifyError(code: ErrorCode, error: FastifyError): string {
  switch (code) {
    case 'MAAS_ERR_REQUEST_JSON_INVALID':
      return `request body is not valid JSON: ${error.message}`;
    case 'MAAS_ERR_REQUEST_INVALID':
      return describeMultipartLimit(error);
    case 'MAAS_ERR_REQUEST_MEDIA_TYPE_UNSUPPORTED':
      return 'unsupported Content-Type; send the body as JSON with "Content-Type: application/json"';
    default:
      return error.message;
  }
}

/** Explains a multipart limit of the dataset upload; other errors keep their message. */
function describeMultipartLimit(error: FastifyError): string {
  switch (error.code) {
    case 'FST_FILES_LIMIT':
      return 'a dataset upload takes exactly one file; send the others in separate requests';
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return 'the upload has too many form fields; send only the file and the documented fields';
    default:
      return error.message;
  }
}

/** Names the field of the first schema violation, e.g. `parameters.top_k must be integer`. */
function validationError(error: FastifyError): MaasError {
  const first = error.validation?.[0];
  const path = (first?.instancePath ?? '')
    .replace(/^\//, '')
    .replace(/\//g, '.')
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  let field = path === '' ? 'body' : path;
  let message = first?.message ?? error.message;
  if (first?.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperty?: string }).additionalProperty;
    field = path === '' ? `${extra}` : `${path}.${extra}`;
    message = 'is not a known field';
  } else if (first?.keyword === 'const' || first?.keyword === 'enum') {
    const allowed = allowedValues(error.validation ?? [], first.instancePath);
    if (allowed.length > 0) message = `must be one of ${allowed.join(', ')}`;
  } else if (first?.keyword === 'required') {
    const missing = (first.params as { missingProperty?: string }).missingProperty;
    field = path === '' ? `${missing}` : `${path}.${missing}`;
    message = 'is required';
  }
  return new MaasError('MAAS_ERR_REQUEST_INVALID', `${field} ${message}`, {
    param: field,
    cause: error,
  });
}

/**
 * Lists the values a field allows, from the `const` and `enum` violations at `instancePath`:
 * a union of literals fails with one `const` violation per literal.
 */
function allowedValues(
  violations: NonNullable<FastifyError['validation']>,
  instancePath: string,
): string[] {
  const values: unknown[] = [];
  for (const violation of violations) {
    if (violation.instancePath !== instancePath) continue;
    const params = violation.params as { allowedValue?: unknown; allowedValues?: unknown[] };
    if (violation.keyword === 'const') values.push(params.allowedValue);
    if (violation.keyword === 'enum') values.push(...(params.allowedValues ?? []));
  }
  return [...new Set(values.map((value) => JSON.stringify(value)))];
}

export function errorBody(error: MaasError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.param === undefined ? {} : { param: error.param }),
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}

/** The error body of routes in OpenAI's shape (route config `errorShape: 'openai'`). */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/** OpenAI's error `type` for an HTTP status; OpenAI reports an unknown model as invalid_request_error. */
function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Renders `error` in OpenAI's error shape, with the registry code as `code`. */
export function openAiErrorBody(error: MaasError): OpenAiErrorBody {
  return {
    error: {
      message: error.message,
      type: openAiErrorType(error.status),
      param: error.param ?? null,
      code: error.code,
    },
  };
}

/** Renders `error` in the shape that the request's route declares in `config.errorShape`. */
export function errorBodyFor(
  request: FastifyRequest,
  error: MaasError,
): ErrorBody | OpenAiErrorBody {
  return request.routeOptions.config?.errorShape === 'openai'
    ? openAiErrorBody(error)
    : errorBody(error);
}

/**
 * Installs the error and not-found handlers that write {@link ErrorBody}, or
 * {@link OpenAiErrorBody} on routes that declare it.
 */
export function installErrorHandlers(app: FastifyInstance, limits: { bodyLimit: number }): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    let maasError = toMaasError(error);
    if (maasError.code === 'MAAS_ERR_REQUEST_TOO_LARGE') {
      maasError = new MaasError(
        'MAAS_ERR_REQUEST_TOO_LARGE',
        `request body is larger than ${limits.bodyLimit} bytes (server.body_limit); send fewer or shorter inputs, or raise the limit`,
        { cause: error },
      );
    }
    if (maasError.status === 503 || maasError.status === 504) {
      // Overload and deadlines are the load's doing, not a fault: one warn line each.
      request.log.warn({ code: maasError.code }, maasError.message);
    } else if (maasError.status >= 500) {
      request.log.error({ err: error, code: maasError.code }, 'request failed');
    }
    if (maasError.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(maasError.retryAfterSeconds))));
    }
    void reply.status(maasError.status).send(errorBodyFor(request, maasError));
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const error = new MaasError(
      'MAAS_ERR_ROUTE_NOT_FOUND',
      `no route for ${request.method} ${request.url.split('?')[0]}; see the README for the API`,
    );
    void reply.status(404).send(errorBody(error));
  });
}

export { ERROR_CODES };
