import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { MaasError } from '../errors/index.js';

/**
 * A hub model id: `name` or `owner/name`, each part starting with a letter or digit and made
 * of letters, digits, `_`, `.` and `-`, as the Hugging Face Hub allows.
 */
const HUB_ID_PATTERN = /^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/;

/** Files fetched from a hub repository; optional ones may be absent there. */
export const HUB_FILES = [
  { path: 'config.json', required: true },
  { path: 'tokenizer.json', required: true },
  { path: 'tokenizer_config.json', required: true },
  { path: 'special_tokens_map.json', required: false },
  { path: 'onnx/model.onnx', required: true },
  // Exports over 2 GB keep their weights beside the graph.
  { path: 'onnx/model.onnx_data', required: false },
] as const;

export interface HubDownloadOptions {
  /** Base address of the hub, e.g. `https://huggingface.co`. */
  endpoint: string;
  /** Branch, tag or commit to download. */
  revision: string;
  /** Maximum bytes downloaded for one model, all files together. */
  maxBytes: number;
  /** Maximum time the whole download may take, in milliseconds. */
  timeoutMs: number;
  /** Access token for private or gated repositories, sent as a bearer token. */
  token?: string;
  logger?: Logger;
}

/** Returns whether `text` has the shape of a hub model id (it may still name a local path). */
export function isHubModelId(text: string): boolean {
  return HUB_ID_PATTERN.test(text) && !text.split('/').some((part) => /^\.+$/.test(part));
}

/**
 * A branch, tag or commit: letters, digits, `_`, `.`, `-` and `/` (as in `refs/pr/1`), with no
 * empty, `.` or `..` part.
 */
const REVISION_PATTERN = /^[\w.-]+(?:\/[\w.-]+)*$/;

/** Returns whether `revision` names a branch, tag or commit in a form the hub accepts. */
export function isHubRevision(revision: string): boolean {
  return (
    revision.length <= 255 &&
    REVISION_PATTERN.test(revision) &&
    !revision.split('/').some((part) => /^\.+$/.test(part))
  );
}

/** Address of one file of a repository at a revision, in the hub's `resolve` layout. */
export function hubFileUrl(endpoint: string, id: string, revision: string, path: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return `${base}/${id}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/**
 * Downloads the files of {@link HUB_FILES} of hub model `id` into `dir`, keeping their
 * relative paths. Returns the paths that were downloaded. On failure the partly written
 * files are removed.
 *
 * @throws MaasError `MAAS_ERR_HUB_MODEL_NOT_FOUND` when a required file is missing (or the
 * repository is private and no token was given), `MAAS_ERR_HUB_DOWNLOAD_TOO_LARGE` past
 * `maxBytes`, and `MAAS_ERR_HUB_DOWNLOAD_FAILED` for network errors, other HTTP errors and
 * time-outs.
 */
export async function downloadHubModel(
  id: string,
  dir: string,
  options: HubDownloadOptions,
): Promise<string[]> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const budget = { remaining: options.maxBytes };
  const downloaded: string[] = [];
  try {
    for (const file of HUB_FILES) {
      const fetched = await downloadFile(id, file.path, join(dir, file.path), {
        ...options,
        signal,
        budget,
      });
      if (fetched) {
        downloaded.push(file.path);
      } else if (file.required) {
        throw new MaasError(
          'MAAS_ERR_HUB_MODEL_NOT_FOUND',
          `hub model ${id} has no ${file.path} at revision ${options.revision} on ${options.endpoint}; check the id and revision, pick a repository with an ONNX export (onnx/model.onnx), or set HF_TOKEN for a private one`,
          { param: 'model', details: { file: file.path } },
        );
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  options.logger?.info(
    { hubModel: id, revision: options.revision, files: downloaded },
    'hub model downloaded',
  );
  return downloaded;
}

interface FileRequest extends HubDownloadOptions {
  signal: AbortSignal;
  /** Bytes left for this model, shared by all its files. */
  budget: { remaining: number };
}

/** Streams one file to `target`. Returns false when the hub has no such file (404). */
async function downloadFile(
  id: string,
  path: string,
  target: string,
  request: FileRequest,
): Promise<boolean> {
  const url = hubFileUrl(request.endpoint, id, request.revision, path);
  let response: Response;
  try {
    response = await fetch(url, {
      signal: request.signal,
      headers: request.token === undefined ? {} : { authorization: `Bearer ${request.token}` },
    });
  } catch (error) {
    throw downloadFailed(id, path, request, describeFetchError(error, request), error);
  }
  // The Hugging Face Hub returns 401, not 404, for a repository that does not exist as well
  // as for a private one.
  if (response.status === 404 || response.status === 401) {
    await response.body?.cancel();
    return false;
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw downloadFailed(id, path, request, `HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > request.budget.remaining) {
    await response.body.cancel();
    throw tooLarge(id, request);
  }

  await mkdir(dirname(target), { recursive: true });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      request.budget.remaining -= chunk.length;
      callback(request.budget.remaining < 0 ? tooLarge(id, request) : null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      counter,
      createWriteStream(target),
      { signal: request.signal },
    );
  } catch (error) {
    if (error instanceof MaasError) throw error;
    throw downloadFailed(id, path, request, describeFetchError(error, request), error);
  }
  return true;
}

function describeFetchError(error: unknown, request: FileRequest): string {
  if (request.signal.aborted) return `timed out after ${request.timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function downloadFailed(
  id: string,
  path: string,
  request: FileRequest,
  reason: string,
  cause?: unknown,
): MaasError {
  return new MaasError(
    'MAAS_ERR_HUB_DOWNLOAD_FAILED',
    `downloading ${path} of hub model ${id} from ${request.endpoint} failed: ${reason}; check the network and hub.endpoint, or download the folder yourself and import it by path`,
    { param: 'model', cause },
  );
}

function tooLarge(id: string, request: FileRequest): MaasError {
  const mib = Math.round(request.maxBytes / 2 ** 20);
  return new MaasError(
    'MAAS_ERR_HUB_DOWNLOAD_TOO_LARGE',
    `hub model ${id} is larger than hub.max_download_mb (${mib} MiB); raise that setting to import it`,
    { param: 'model' },
  );
}
