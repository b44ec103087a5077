import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface MaasErrorOptions {
  /** The request field, CLI option or file the error is about, e.g. `inputs[2]`. */
  param?: string;
  /** Structured detail for clients, e.g. the line numbers of invalid dataset rows. */
  details?: Record<string, unknown>;
  /** Seconds after which a retry may succeed, for the HTTP `Retry-After` header. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** Error with a stable code from the registry; the HTTP status follows from the code. */
export class MaasError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: MaasErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'MaasError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.param = options.param;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isMaasError(value: unknown): value is MaasError {
  return value instanceof MaasError;
}
