import { isUtf8 } from 'node:buffer';

import type { FastifyInstance } from 'fastify';

import { MaasError } from '../errors/index.js';

/**
 * Replaces Fastify's JSON body parser with one that first rejects bodies that are not valid
 * UTF-8, instead of decoding the bad bytes to U+FFFD, and then parses like Fastify's own
 * (`__proto__` and `constructor.prototype` keys rejected).
 */
export function installJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    // Some clients send a JSON content type on every request, also on routes that take no
    // body, such as DELETE or a cancel: an empty body there is no body.
    if (bytes.length === 0 && request.routeOptions.schema?.body === undefined) {
      done(null, undefined);
      return;
    }
    if (!isUtf8(bytes)) {
      const error = new MaasError(
        'MAAS_ERR_REQUEST_JSON_INVALID',
        'request body is not valid UTF-8; send JSON encoded as UTF-8',
      );
      done(error as unknown as Parameters<typeof done>[0], undefined);
      return;
    }
    const text = bytes.toString('utf8');
    parseJson(request, text, (error, parsed) => {
      if (error === null) {
        done(null, parsed);
        return;
      }
      done(explainJsonError(error, text) as unknown as Parameters<typeof done>[0], undefined);
    });
  });
}

/**
 * Replaces Fastify's one message for every rejected JSON body with the reason: the parse
 * error with its position, or a prototype key in otherwise valid JSON.
 */
function explainJsonError(error: Error & { code?: string }, text: string): Error {
  if (error.code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return error;
  try {
    JSON.parse(text);
  } catch (parseError) {
    return new MaasError(
      'MAAS_ERR_REQUEST_JSON_INVALID',
      `request body is not valid JSON: ${(parseError as Error).message}`,
      { cause: parseError },
    );
  }
  return new MaasError(
    'MAAS_ERR_REQUEST_JSON_INVALID',
    'request body contains a "__proto__" or "constructor.prototype" key, which is not allowed; remove it and send the request again',
  );
}
