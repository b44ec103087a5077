import { readFile } from 'node:fs/promises';

import { MaasError } from '../../errors/index.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads a file as UTF-8 text, dropping a leading byte order mark.
 *
 * @throws MaasError MAAS_ERR_DATASET_INVALID when the bytes are not valid UTF-8, naming the line
 * of the first invalid byte, so that text in a legacy encoding such as GBK is easy to find.
 * @throws MaasError MAAS_ERR_DATASET_NOT_FOUND when the file cannot be read.
 */
export async function readUtf8File(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (error as Error).message;
    throw new MaasError(
      'MAAS_ERR_DATASET_NOT_FOUND',
      `cannot read dataset file ${path}: ${reason}`,
      {
        param: 'file',
        cause: error,
      },
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const line = lineAt(bytes, findFirstInvalidByte(bytes));
    throw new MaasError(
      'MAAS_ERR_DATASET_INVALID',
      `Dataset is invalid at line ${line}: the file is not valid UTF-8 text. ` +
        'Convert it to UTF-8 (for example with iconv) and try again.',
      { details: { lines: [line], count: 1 }, cause: error },
    );
  }
}

/**
 * Returns the length of the longest prefix of `bytes` that decodes as UTF-8, counting an
 * incomplete sequence at the end as valid. Decoding stays valid up to the first bad byte and
 * fails for every longer prefix, so a binary search finds that byte.
 */
function findFirstInvalidByte(bytes: Uint8Array): number {
  let valid = 0;
  let invalid = bytes.length;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    if (decodesAsPrefix(bytes.subarray(0, middle))) {
      valid = middle;
    } else {
      invalid = middle;
    }
  }
  return valid;
}

function decodesAsPrefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Returns the 1-based line of byte `offset`, counting CRLF, LF and lone CR as line breaks. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === LF || (bytes[i] === CR && bytes[i + 1] !== LF)) {
      line++;
    }
  }
  return line;
}
