import { parentPort, workerData } from 'node:worker_threads';

import { isMaasError } from '../../errors/index.js';
import { readUtf8File } from '../datasets/text-file.js';
import { splitSentences } from '../tagging/split.js';
import { labelsOf, parseDataset, statisticsOf, type ParsedDataset } from './formats.js';
import type { ParseRequest, ParseResponse, TagSplit } from './parse-in-worker.js';
import { layoutOf } from './read-options.js';

// Entry point of a dataset parsing thread: validates one file, posts the result and exits.
if (parentPort === null) {
  throw new Error('parse-worker must run in a worker thread');
}
const port = parentPort;
const request = workerData as ParseRequest;

async function parse(): Promise<ParseResponse> {
  try {
    const parsed = parseDataset(await readUtf8File(request.path), request.format, request.options);
    const tagSplit = request.tagSplit === undefined ? undefined : splitTags(parsed);
    return {
      ok: true,
      labels: labelsOf(parsed),
      statistics: statisticsOf(parsed),
      layout: layoutOf(parsed),
      ...(tagSplit === undefined ? {} : { tagSplit }),
    };
  } catch (error) {
    if (!isMaasError(error)) {
      return { ok: false, error: { code: 'MAAS_ERR_INTERNAL_ERROR', message: String(error) } };
    }
    return {
      ok: false,
      error: {
        code: error.code,
        message: error.message,
        ...(error.param === undefined ? {} : { param: error.param }),
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
}

/** Splits the sentences of a CoNLL file as a tagger job does; undefined for other formats. */
function splitTags(parsed: ParsedDataset): TagSplit | undefined {
  if (parsed.kind !== 'token-classification' || request.tagSplit === undefined) return undefined;
  const { train, validation } = splitSentences(parsed.dataset.sentences, {
    testFraction: 0,
    ...request.tagSplit,
  });
  const tagsOf = (sentences: typeof train): string[] =>
    [...new Set(sentences.flatMap((sentence) => sentence.tags))].sort();
  return { trainTags: tagsOf(train), validationTags: tagsOf(validation) };
}

void parse().then((response) => {
  port.postMessage(response);
  port.close();
});
