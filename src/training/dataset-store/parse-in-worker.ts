import { MaasError, type ErrorCode } from '../../errors/index.js';
import { startWorker } from '../worker/start-worker.js';
import type { DatasetFormat, DatasetReadOptions } from './formats.js';
import type { DatasetLayout } from './read-options.js';

/** Input of the parse worker. */
export interface ParseRequest {
  path: string;
  format: DatasetFormat;
  options: DatasetReadOptions;
  /** For a `conll` file: split its sentences as a tagger job does and return the tags of each part. */
  tagSplit?: TagSplitRequest;
}

/** A seeded split of sentences into training and validation parts. */
export interface TagSplitRequest {
  validationFraction: number;
  seed: number;
}

/** Tags of the training and validation parts of a split, each sorted. */
export interface TagSplit {
  trainTags: string[];
  validationTags: string[];
}

/** Summary of a valid file. */
export interface ParsedFile {
  labels: string[];
  statistics: Record<string, unknown>;
  layout: DatasetLayout;
  tagSplit?: TagSplit;
}

/** Output of the parse worker: the summary of a valid file, or the error as plain data. */
export type ParseResponse =
  | ({ ok: true } & ParsedFile)
  | {
      ok: false;
      error: { code: string; message: string; param?: string; details?: Record<string, unknown> };
    };

/**
 * Validates a dataset file and computes its labels and statistics in a worker thread, because
 * parsing a large file takes seconds that the server's event loop cannot spend.
 *
 * @throws MaasError the parser's error, rebuilt with its code, param and details.
 */
export function parseFileInWorker(request: ParseRequest): Promise<ParsedFile> {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const worker = startWorker(new URL(`./parse-worker.${extension}`, import.meta.url), {
    workerData: request,
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.once('message', (response: ParseResponse) => {
      settled = true;
      if (response.ok) {
        const { labels, statistics, layout, tagSplit } = response;
        resolve({ labels, statistics, layout, ...(tagSplit === undefined ? {} : { tagSplit }) });
        return;
      }
      const { code, message, param, details } = response.error;
      reject(new MaasError(code as ErrorCode, message, { param, details }));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(
        new MaasError('MAAS_ERR_INTERNAL_ERROR', `dataset parsing failed: ${error.message}`, {
          cause: error,
        }),
      );
    });
    worker.once('exit', (exitCode) => {
      if (!settled) {
        reject(
          new MaasError(
            'MAAS_ERR_INTERNAL_ERROR',
            `dataset parsing thread exited with code ${exitCode} before it finished`,
          ),
        );
      }
    });
  });
}
