import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';

import { ERROR_CODES, MaasError, type ErrorCode } from '../errors/index.js';
import type { ClassifierHyperparameters } from '../training/classification/hyperparameters.js';
import type { TaggerHyperparameters } from '../training/tagging/model.js';
import { formatFromFileName } from '../training/datasets/index.js';
import { readFileOptions } from './file-options.js';
import { snakeCase } from '../util/snake-case.js';

/** Options of `maas train` that only local training reads, with their flags. */
const LOCAL_ONLY_FLAGS: Readonly<Record<string, string>> = {
  labelNames: '--label-names',
  extraTrainFile: '--extra-train-file',
  testFile: '--test-file',
  description: '--description',
  source: '--source',
};

/**
 * Runs `maas train <file> --server <url>`: uploads the file, trains it as a job on the server
 * and follows the job to its end.
 *
 * @throws MaasError MAAS_ERR_REQUEST_INVALID for a flag that jobs do not take,
 * MAAS_ERR_TRAINING_CANCELLED or MAAS_ERR_TRAINING_FAILED when the job does not succeed, and the
 * server's errors.
 */
export async function runTrainingOnServer(
  file: string,
  server: string,
  options: Record<string, unknown>,
  hyperparameters: Partial<ClassifierHyperparameters>,
): Promise<void> {
  rejectLocalOnlyFlags(options);
  const fileOptions = readFileOptions(options);
  const datasetFields: Record<string, string> = {
    // Local training reads .txt as TSV, and the server needs the format for .txt.
    format:
      fileOptions.format ??
      (file.toLowerCase().endsWith('.txt') ? 'tsv' : formatFromFileName(file)),
  };
  if (fileOptions.textColumn !== undefined)
    datasetFields['text_column'] = String(fileOptions.textColumn);
  if (fileOptions.labelColumn !== undefined)
    datasetFields['label_column'] = String(fileOptions.labelColumn);
  if (fileOptions.header === false) datasetFields['header'] = 'false';
  const state = await trainOnServer({
    server,
    file,
    datasetFields,
    rowName: 'rows',
    job: {
      task: 'text-classification',
      model: options['name'] as string,
      ...(options['alias'] === undefined ? {} : { alias: options['alias'] as string }),
      ...(hyperparameters.architecture === undefined
        ? {}
        : { architecture: hyperparameters.architecture }),
      validation_split: options['validationSplit'] as number,
      hyperparameters: toSnakeCase(hyperparameters),
    },
  });
  assertSucceeded(state);
}

/**
 * Runs `maas train <file> --task token-classification --server <url>`: uploads the CoNLL file
 * with its column and repair flags, trains a tagger on it as a job on the server and follows
 * the job to its end.
 *
 * @throws MaasError as {@link runTrainingOnServer}.
 */
export async function runTaggerTrainingOnServer(
  file: string,
  server: string,
  options: Record<string, unknown>,
  hyperparameters: Partial<TaggerHyperparameters>,
): Promise<void> {
  rejectLocalOnlyFlags(options);
  const datasetFields: Record<string, string> = { format: 'conll' };
  if (options['tokenColumn'] !== undefined) {
    datasetFields['token_column'] = String(options['tokenColumn']);
  }
  if (options['tagColumn'] !== undefined)
    datasetFields['tag_column'] = String(options['tagColumn']);
  if (options['repairTags'] === true) datasetFields['repair_tags'] = 'true';
  const state = await trainOnServer({
    server,
    file,
    datasetFields,
    rowName: 'sentences',
    job: {
      task: 'token-classification',
      model: options['name'] as string,
      ...(options['alias'] === undefined ? {} : { alias: options['alias'] as string }),
      ...(hyperparameters.architecture === undefined
        ? {}
        : { architecture: hyperparameters.architecture }),
      validation_split: options['validationSplit'] as number,
      hyperparameters: toSnakeCase(hyperparameters),
    },
  });
  assertSucceeded(state);
}

/**
 * Runs `maas train <file> --task semantic-role-labeling --server <url>`: uploads the CoNLL-U
 * file with its `--sense-column`, trains a role tagger on it as a job on the server and follows
 * the job to its end. `flags` are the role tagger flags by camelCase option name, which the job
 * takes in snake_case.
 *
 * @throws MaasError as {@link runTrainingOnServer}.
 */
export async function runSrlTrainingOnServer(
  file: string,
  server: string,
  options: Record<string, unknown>,
  flags: Record<string, number>,
): Promise<void> {
  rejectLocalOnlyFlags(options);
  const datasetFields: Record<string, string> = { format: 'conllu' };
  if (options['senseColumn'] !== undefined) {
    datasetFields['sense_column'] = String(options['senseColumn']);
  }
  const state = await trainOnServer({
    server,
    file,
    datasetFields,
    rowName: 'predicates',
    job: {
      task: 'semantic-role-labeling',
      model: options['name'] as string,
      ...(options['alias'] === undefined ? {} : { alias: options['alias'] as string }),
      validation_split: options['validationSplit'] as number,
      hyperparameters: toSnakeCase(flags),
    },
  });
  assertSucceeded(state);
}

/** Rejects the flags of local training that jobs do not take. */
function rejectLocalOnlyFlags(options: Record<string, unknown>): void {
  const localOnly = Object.entries(LOCAL_ONLY_FLAGS)
    .filter(([name]) => {
      const value = options[name];
      return value !== undefined && !(Array.isArray(value) && value.length === 0);
    })
    .map(([, flag]) => flag);
  if ((options['testSplit'] as number) > 0) localOnly.push('--test-split');
  if (localOnly.length > 0) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `${localOnly.join(', ')} cannot be used with --server, because training jobs do not take them; train locally or leave them out`,
      { param: 'server' },
    );
  }
}

function assertSucceeded(state: string): void {
  if (state === 'cancelled') {
    throw new MaasError('MAAS_ERR_TRAINING_CANCELLED', 'the training job was cancelled');
  }
  if (state === 'queued' || state === 'running') {
    throw new MaasError(
      'MAAS_ERR_TRAINING_FAILED',
      `the server closed the event stream while the job was still ${state}, for example because the server shut down; look up the job printed above with GET /v1/training-jobs/<id>`,
    );
  }
  if (state !== 'succeeded') {
    throw new MaasError(
      'MAAS_ERR_TRAINING_FAILED',
      `the training job ended as ${state}; its events above give the reason`,
    );
  }
}

/** Request of `maas train --server`: the file, its upload fields and the job. */
export interface RemoteTrainingOptions {
  server: string;
  file: string;
  /** Form fields of the dataset upload: format and columns. */
  datasetFields: Record<string, string>;
  /** Unit that the progress lines count: `rows`, `sentences` or `predicates`. */
  rowName: string;
  /** Body of the job request, without the dataset id. */
  job: {
    task: string;
    model: string;
    alias?: string;
    architecture?: string;
    validation_split: number;
    /** Hyperparameters with snake_case names. */
    hyperparameters: Record<string, unknown>;
  };
}

/** One server-sent event. */
interface ServerEvent {
  type: string;
  data: Record<string, unknown>;
}

/** Environment variable with the API key that `--server` requests send. */
export const API_KEY_VARIABLE = 'MAAS_API_KEY';

/** Returns the `Authorization` header of the key in `MAAS_API_KEY`, if it is set. */
function authHeaders(): Record<string, string> {
  const key = process.env[API_KEY_VARIABLE];
  return key === undefined || key === '' ? {} : { authorization: `Bearer ${key}` };
}

/**
 * Uploads the file as a dataset to a running server, creates a training job on it, and prints
 * its events until it ends. SIGINT cancels the job. Returns the job's final state.
 *
 * @throws MaasError with the server's code when a request fails.
 */
async function trainOnServer(options: RemoteTrainingOptions): Promise<string> {
  const base = options.server.replace(/\/+$/, '');
  const datasetId = await uploadDataset(base, options.file, options.datasetFields);
  console.log(`dataset ${datasetId}`);

  const job = (await requestJson(`${base}/v1/training-jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify({ dataset_id: datasetId, ...options.job }),
  })) as { id: string };
  console.log(`training job ${job.id} queued on ${base}`);

  const cancel = (): void => {
    console.log(`cancelling training job ${job.id}`);
    void fetch(`${base}/v1/training-jobs/${job.id}/cancel`, {
      method: 'POST',
      headers: authHeaders(),
    });
  };
  process.once('SIGINT', cancel);
  try {
    return await followEvents(`${base}/v1/training-jobs/${job.id}/events`, options.rowName);
  } finally {
    process.off('SIGINT', cancel);
  }
}

async function uploadDataset(
  base: string,
  file: string,
  fields: Record<string, string>,
): Promise<string> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', await openAsBlob(file), basename(file));
  const init = { method: 'POST', body: form, headers: authHeaders() };
  const dataset = (await requestJson(`${base}/v1/datasets`, init)) as {
    id: string;
  };
  return dataset.id;
}

/** Prints each event of the stream and returns the final state. */
async function followEvents(url: string, rowName: string): Promise<string> {
  const response = await fetch(url, { headers: authHeaders() });
  if (!response.ok || response.body === null) {
    throw await toError(response);
  }
  let finalState = 'unknown';
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event === undefined) continue;
      printEvent(event, rowName);
      if (event.type === 'state') finalState = String(event.data['state']);
    }
  }
  return finalState;
}

function parseEvent(block: string): ServerEvent | undefined {
  let type = 'message';
  let data: string | undefined;
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) type = line.slice('event: '.length);
    if (line.startsWith('data: ')) data = line.slice('data: '.length);
  }
  return data === undefined ? undefined : { type, data: JSON.parse(data) as ServerEvent['data'] };
}

function printEvent({ type, data }: ServerEvent, rowName: string): void {
  switch (type) {
    case 'state': {
      const error = data['error'] as { code: string; message: string } | undefined;
      const version =
        data['model_version'] === undefined ? '' : ` (version ${String(data['model_version'])})`;
      const reason = error === undefined ? '' : `: ${error.code}: ${error.message}`;
      console.log(`${String(data['state'])}${version}${reason}`);
      break;
    }
    case 'started':
      console.log(
        `training on ${String(data['train_rows'])} ${rowName}, validating on ${String(data['validation_rows'])}`,
      );
      break;
    case 'epoch':
      // A tagger job reports the span F1 of its validation sentences in place of the
      // validation loss, and a role tagger job the argument F1 of its validation predicates.
      if (data['val_f1'] !== undefined) {
        const accuracy =
          data['val_token_accuracy'] === undefined
            ? ''
            : `  val_token_accuracy ${percent(data['val_token_accuracy'])}`;
        console.log(
          `epoch ${String(data['epoch'])}/${String(data['epochs'])}  loss ${Number(data['loss']).toFixed(4)}  val_f1 ${percent(data['val_f1'])}${accuracy}`,
        );
        break;
      }
      console.log(
        `epoch ${String(data['epoch'])}/${String(data['epochs'])}  loss ${Number(data['loss']).toFixed(4)}  val_loss ${Number(data['val_loss']).toFixed(4)}  val_accuracy ${(Number(data['val_accuracy']) * 100).toFixed(2)}%`,
      );
      break;
    case 'report':
      console.log(`registered ${String(data['model'])}@${String(data['model_version'])}`);
      break;
  }
}

async function requestJson(url: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `cannot reach the server at ${url}: ${(error as Error).message}; check --server`,
      { param: 'server', cause: error },
    );
  }
  if (!response.ok) throw await toError(response);
  return response.json();
}

/** Rebuilds the server's error from its JSON body, keeping its code when it is known. */
async function toError(response: Response): Promise<MaasError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error: { code: string; message: string; param?: string } };
    const code = (
      body.error.code in ERROR_CODES ? body.error.code : 'MAAS_ERR_INTERNAL_ERROR'
    ) as ErrorCode;
    const hint =
      response.status === 401 || body.error.code === 'MAAS_ERR_AUTH_SCOPE_MISSING'
        ? `; set ${API_KEY_VARIABLE} to a key with the train scope`
        : '';
    return new MaasError(
      code,
      `the server returned ${response.status}: ${body.error.message}${hint}`,
      {
        ...(body.error.param === undefined ? {} : { param: body.error.param }),
      },
    );
  } catch {
    return new MaasError(
      'MAAS_ERR_INTERNAL_ERROR',
      `the server returned ${response.status}: ${text.slice(0, 200)}`,
    );
  }
}

function percent(value: unknown): string {
  return `${(Number(value) * 100).toFixed(2)}%`;
}

/** Renames camelCase hyperparameters to the snake_case of the job request, without `architecture`. */
function toSnakeCase(values: object): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || name === 'architecture') continue;
    result[snakeCase(name)] = value;
  }
  return result;
}
