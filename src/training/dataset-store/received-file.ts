import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { MaasError } from '../../errors/index.js';

/** Keeps an extension of letters and digits, so the stored name cannot escape its folder. */
export function safeExtension(fileName: string): string {
  const extension = extname(fileName).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(extension) ? extension : '';
}

/**
 * Writes `source` to `path`, hashing the bytes on the way, and fails once more than `maxBytes`
 * arrived.
 */
export async function writeHashed(
  source: Readable,
  path: string,
  maxBytes: number,
): Promise<{ digest: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sizeBytes += chunk.length;
      if (sizeBytes > maxBytes) {
        callback(datasetTooLarge(maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(source, meter, createWriteStream(path, { flags: 'wx' }));
  return { digest: hash.digest('hex'), sizeBytes };
}

/** Error for a file over `limits.max_upload_bytes`. */
export function datasetTooLarge(maxBytes: number): MaasError {
  return new MaasError(
    'MAAS_ERR_DATASET_TOO_LARGE',
    `dataset file is larger than ${maxBytes} bytes (limits.max_upload_bytes); split the file or raise the limit`,
    { param: 'file', details: { max_bytes: maxBytes } },
  );
}

/** Opens a file on disk as the source of {@link DatasetStore.add}. */
export function fileSource(path: string): Readable {
  return createReadStream(path);
}
