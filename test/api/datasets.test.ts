import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { STAGING_DIR } from '../../src/storage/index.js';
import { DATASETS_DIR } from '../../src/training/dataset-store/index.js';
import {
  makeTempDir,
  openTestContext,
  removeTempDir,
  silentLogger,
} from '../helpers/sentiment-fixture.js';

const MAX_UPLOAD_BYTES = 64 * 1024;
const CSV = 'text,label\n房间很干净😀,positive\n太差了,negative\n';
const CONLL =
  '-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n';

interface DatasetBody {
  id: string;
  created: boolean;
  format: string;
  kind: string;
  labels: string[];
  statistics: Record<string, unknown>;
  read_options: Record<string, unknown>;
}

interface ErrorBody {
  error: { code: string; message: string; param?: string; details?: Record<string, unknown> };
}

let root: string;
let context: AppContext;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  root = await makeTempDir('api-datasets');
  context = await openTestContext(root, {
    'serving.register_bundled': false,
    'limits.max_upload_bytes': MAX_UPLOAD_BYTES,
  });
  server = buildServer(context, silentLogger());
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.app.close();
  await context?.close();
  if (root !== undefined) await removeTempDir(root);
});

/** Sends a multipart upload; `fields` go first unless `fieldsAfterFile` is set. */
function upload(
  content: string | Uint8Array,
  fileName: string,
  fields: Record<string, string> = {},
  options: { fieldsAfterFile?: boolean; fileField?: string } = {},
): Promise<Response> {
  const form = new FormData();
  const addFields = (): void => {
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
  };
  if (options.fieldsAfterFile !== true) addFields();
  form.append(options.fileField ?? 'file', new Blob([content]), fileName);
  if (options.fieldsAfterFile === true) addFields();
  return fetch(`${baseUrl}/v1/datasets`, { method: 'POST', body: form });
}

async function expectError(response: Response, status: number, code: string): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  return body;
}

async function listLeftovers(): Promise<{ datasets: string[]; staging: string[] }> {
  const artifacts = join(context.dataDir, 'artifacts');
  const list = (dir: string): Promise<string[]> => readdir(dir).catch(() => []);
  return {
    datasets: await list(join(artifacts, DATASETS_DIR)),
    staging: await list(join(artifacts, STAGING_DIR)),
  };
}

async function deleteAll(): Promise<void> {
  for (const dataset of await context.datasets.list()) {
    await context.datasets.remove(dataset.id);
  }
}

describe('POST /v1/datasets', () => {
  it('stores a CSV file with statistics', async () => {
    const response = await upload(CSV, 'reviews.csv');
    expect(response.status).toBe(201);
    const body = (await response.json()) as DatasetBody;
    expect(body.id).toMatch(/^[0-9a-f]{64}$/);
    expect(body.created).toBe(true);
    expect(body.kind).toBe('text-classification');
    expect(body.labels).toEqual(['negative', 'positive']);
    expect(body.statistics['rows']).toBe(2);
    expect(body.statistics['language_hint']).toBe('zh');
  });

  it('returns the stored dataset for the same bytes', async () => {
    const first = (await (await upload(CSV, 'one.csv')).json()) as DatasetBody;
    const response = await upload(CSV, 'two.csv');
    expect(response.status).toBe(200);
    const body = (await response.json()) as DatasetBody;
    expect(body.id).toBe(first.id);
    expect(body.created).toBe(false);
  });

  it('returns the stored dataset for an explicit default', async () => {
    const pad = Array.from({ length: 8 }, () => '_');
    const conllu =
      [
        ['1', 'Bush', ...pad, '_', 'ARG0'].join('\t'),
        ['2', 'ran', ...pad, 'run.01', 'V'].join('\t'),
      ].join('\n') + '\n';
    const first = await upload(conllu, 'srl.conllu');
    expect(first.status).toBe(201);
    const stored = (await first.json()) as DatasetBody;
    expect(stored.read_options).toEqual({ sense_column: 10 });

    const again = await upload(conllu, 'srl.conllu', { sense_column: '10' });
    expect(again.status).toBe(200);
    const body = (await again.json()) as DatasetBody;
    expect(body.id).toBe(stored.id);
    expect(body.created).toBe(false);
  });

  it('reads form fields sent after the file', async () => {
    const response = await upload(
      CONLL,
      'train.txt',
      { format: 'conll', tag_column: '3', repair_tags: 'true' },
      {
        fieldsAfterFile: true,
      },
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as DatasetBody;
    expect(body.format).toBe('conll');
    expect(body.read_options).toEqual({ token_column: 0, tag_column: 3, repair_tags: true });
    expect(body.statistics['documents']).toBe(1);
    expect(body.statistics['entity_counts']).toEqual({ ORG: 1, PER: 1 });
  });

  it('returns 422 with the lines of an invalid file', async () => {
    await deleteAll();
    const response = await upload('a\tO\nb\tI-PER\n\nc\tI-LOC\n', 'bad.conll');
    const body = await expectError(response, 422, 'MAAS_ERR_DATASET_INVALID');
    expect(body.error.details).toEqual({ lines: [2, 4], count: 2 });
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('names a missing column by its form field', async () => {
    await deleteAll();
    const response = await upload('hello,pos\nbye,neg\n', 'no-header.csv', { header: 'false' });
    const body = await expectError(response, 422, 'MAAS_ERR_DATASET_COLUMN_NOT_FOUND');
    expect(body.error.param).toBe('text_column');
    expect(body.error.message).toContain('Set text_column');
    expect(body.error.message).not.toContain('textColumn');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('repairs tags when repair_tags is true', async () => {
    const response = await upload('a\tO\nb\tI-PER\n', 'repair.conll', { repair_tags: 'true' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as DatasetBody;
    expect(body.statistics['repaired_tags']).toBe(1);
  });

  it('returns 413 beyond the upload limit and keeps nothing', async () => {
    await deleteAll();
    const big = `text,label\n${'很好,positive\n'.repeat(MAX_UPLOAD_BYTES / 8)}`;
    const response = await upload(big, 'big.csv');
    const body = await expectError(response, 413, 'MAAS_ERR_DATASET_TOO_LARGE');
    expect(body.error.message).toContain('limits.max_upload_bytes');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('accepts a file of exactly the limit', async () => {
    const header = 'text,label\n';
    const row = 'a,b\n';
    const padding = 'x'.repeat(MAX_UPLOAD_BYTES - header.length - row.length - 'y,c\n'.length);
    const exact = `${header}${row}${padding}y,c\n`;
    expect(Buffer.byteLength(exact)).toBe(MAX_UPLOAD_BYTES);
    const response = await upload(exact, 'exact.csv');
    expect(response.status).toBe(201);
  });

  it('keeps a Chinese file name', async () => {
    const response = await upload('text,label\n好,正面\n差,负面\n', '评论 😀.csv');
    expect(response.status).toBe(201);
    const body = (await response.json()) as DatasetBody & { name: string };
    expect(body.name).toBe('评论 😀.csv');
    expect(body.labels).toEqual(['正面', '负面'].sort());
  });

  it.each([
    ['a path', '../etc/passwd'],
    ['a control character', 'bad\u0007name'],
    ['too many characters', 'x'.repeat(129)],
    ['only spaces', '   '],
  ])('rejects a name with %s', async (_case, name) => {
    await deleteAll();
    const response = await upload('text,label\nok,1\nno,0\n', 'named.csv', { name });

    const body = await expectError(response, 400, 'MAAS_ERR_REQUEST_INVALID');
    expect(body.error.param).toBe('name');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('returns 422 for an empty file', async () => {
    await deleteAll();
    await expectError(await upload('', 'empty.csv'), 422, 'MAAS_ERR_DATASET_EMPTY');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('returns 415 for a JSON body', async () => {
    const response = await fetch(`${baseUrl}/v1/datasets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await expectError(response, 415, 'MAAS_ERR_REQUEST_MEDIA_TYPE_UNSUPPORTED');
  });

  it.each([
    ['no boundary', 'multipart/form-data', 'a,b\n'],
    [
      'a body cut off',
      'multipart/form-data; boundary=XyZ',
      '--XyZ\r\ncontent-disposition: form-data; name="file"; filename="a.csv"\r\n\r\ntext,label\nok,1\n',
    ],
  ])('returns 400 for malformed multipart: %s', async (_case, contentType, body) => {
    const response = await fetch(`${baseUrl}/v1/datasets`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

    const error = await expectError(response, 400, 'MAAS_ERR_REQUEST_INVALID');
    expect(error.error.param).toBe('file');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('returns 400 without a file', async () => {
    const form = new FormData();
    form.append('format', 'csv');
    const response = await fetch(`${baseUrl}/v1/datasets`, { method: 'POST', body: form });
    const body = await expectError(response, 400, 'MAAS_ERR_REQUEST_INVALID');
    expect(body.error.param).toBe('file');
  });

  it('returns 400 for an unknown field', async () => {
    await deleteAll();
    const body = await expectError(
      await upload(CSV, 'a.csv', { colour: 'red' }),
      400,
      'MAAS_ERR_REQUEST_INVALID',
    );
    expect(body.error.param).toBe('colour');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('returns 400 for an unknown format', async () => {
    const body = await expectError(
      await upload(CSV, 'a.csv', { format: 'xlsx' }),
      400,
      'MAAS_ERR_DATASET_FORMAT_UNKNOWN',
    );
    expect(body.error.message).toContain('csv, tsv, jsonl, conll, conllu, text');
  });

  it('returns 400 for a second file', async () => {
    const form = new FormData();
    form.append('file', new Blob([CSV]), 'a.csv');
    form.append('file', new Blob([CSV]), 'b.csv');
    const response = await fetch(`${baseUrl}/v1/datasets`, { method: 'POST', body: form });
    await expectError(response, 400, 'MAAS_ERR_REQUEST_INVALID');
    expect((await listLeftovers()).staging).toEqual([]);
  });
});

describe('GET and DELETE /v1/datasets', () => {
  it('lists, shows and deletes a dataset', async () => {
    await deleteAll();
    const created = (await (
      await upload('Hello there.\n', 'lm.txt', { format: 'text' })
    ).json()) as DatasetBody;

    const list = (await (await fetch(`${baseUrl}/v1/datasets`)).json()) as { data: DatasetBody[] };
    expect(list.data.map((dataset) => dataset.id)).toEqual([created.id]);

    const shown = (await (
      await fetch(`${baseUrl}/v1/datasets/${created.id}`)
    ).json()) as DatasetBody;
    expect(shown.kind).toBe('language-modelling');
    expect(shown.statistics['lines']).toBe(1);

    const deleted = await fetch(`${baseUrl}/v1/datasets/${created.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: created.id, object: 'dataset', deleted: true });
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });

    const missing = await fetch(`${baseUrl}/v1/datasets/${created.id}`);
    await expectError(missing, 404, 'MAAS_ERR_DATASET_NOT_FOUND');
  });

  it('returns 404 for deleting an unknown id', async () => {
    const response = await fetch(`${baseUrl}/v1/datasets/${'0'.repeat(64)}`, { method: 'DELETE' });
    await expectError(response, 404, 'MAAS_ERR_DATASET_NOT_FOUND');
  });
});
