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
    if (!isUtf8(bytes)) {
      const error = new MaasError(
        'MAAS_ERR_REQUEST_JSON_INVALID',
        'request body is not valid UTF-8; send JSON encoded as UTF-8',
      );
      done(error as unknown as Parameters<typeof done>[0], undefined);
      return;
    }
    parseJson(request, bytes.toString('utf8'), done);
  });
}
