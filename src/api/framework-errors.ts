import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MaasError, type ErrorCode } from '../errors/index.js';
import { errorBody } from './error-handler.js';

/**
 * Sends the response for errors that Fastify raises before routing, such as a path with invalid
 * percent-encoding, in the error shape of every other route.
 */
export function frameworkErrorHandler(
  error: Error,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const maasError = new MaasError('MAAS_ERR_REQUEST_INVALID', `invalid request: ${error.message}`, {
    cause: error,
  });
  void reply.status(maasError.status).send(errorBody(maasError));
}

/** Status and code for errors that Node's HTTP parser raises before routing. */
function describeClientError(error: NodeJS.ErrnoException): {
  status: number;
  code: ErrorCode;
  message: string;
} {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      code: 'MAAS_ERR_REQUEST_TIMEOUT',
      message: 'the request did not arrive in time (server.request_timeout_ms)',
    };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      code: 'MAAS_ERR_REQUEST_TOO_LARGE',
      message: 'the request headers are too large',
    };
  }
  return {
    status: 400,
    code: 'MAAS_ERR_REQUEST_INVALID',
    message: `malformed HTTP request (${error.code ?? 'parse error'})`,
  };
}

/**
 * Writes a raw HTTP response for a connection-level error, with the body in the error shape
 * of every route, then closes the socket. A reset connection gets nothing.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }
  const { status, code, message } = describeClientError(error);
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    const reason =
      status === 408
        ? 'Request Timeout'
        : status === 431
          ? 'Request Header Fields Too Large'
          : 'Bad Request';
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
