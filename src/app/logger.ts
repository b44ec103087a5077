import { pino, type Logger } from 'pino';

/**
 * Creates the process logger: pino JSON lines. The server logs to standard output; other
 * commands log to standard error, so their own output stays parseable.
 */
export function createLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'nlp-maas' },
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]'], remove: true },
    },
    pino.destination(destination),
  );
}
