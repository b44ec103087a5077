import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import {
  OPTION_FIELDS,
  toDatasetJson,
  type DatasetDescription,
  type DatasetReadOptions,
  type ReceivedFile,
} from '../../training/dataset-store/index.js';

const IdParams = Type.Object({ id: Type.String() });
type IdParams = Static<typeof IdParams>;

/** Form field of the file part. */
const FILE_FIELD = 'file';

/** Text form fields besides the read settings. */
const DESCRIPTION_FIELDS = ['name', 'format', 'task'] as const;

/** Maximum size of one text form field, in bytes. */
const MAX_FIELD_BYTES = 1024;

/**
 * Registers `POST /v1/datasets` (multipart upload), `GET /v1/datasets`, `GET /v1/datasets/{id}`
 * and `DELETE /v1/datasets/{id}` in a plugin scope of their own, so that only these routes
 * parse multipart bodies.
 */
export function registerDatasetRoutes(app: FastifyInstance, context: AppContext): void {
  void app.register((scope) => addDatasetRoutes(scope, context));
}

async function addDatasetRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const maxBytes = context.settings['limits.max_upload_bytes'];
  // One byte over the limit reaches DatasetStore.receive, which rejects it with its own error.
  await app.register(multipart, {
    limits: { fileSize: maxBytes + 1, files: 1, fields: 20, fieldSize: MAX_FIELD_BYTES },
  });

  app.post('/v1/datasets', { config: { scope: 'train' } }, async (request, reply) => {
    const { received, fields } = await receiveUpload(request, context, maxBytes);
    let description: DatasetDescription;
    try {
      description = describe(fields, received);
    } catch (error) {
      await context.datasets.discard(received);
      throw error;
    }
    let stored: Awaited<ReturnType<typeof context.datasets.store>>;
    try {
      stored = await context.datasets.store(received, description);
    } catch (error) {
      throw withFormFieldNames(error);
    }
    const { dataset, created } = stored;
    void reply.status(created ? 201 : 200);
    return { ...toDatasetJson(dataset), created };
  });

  app.get('/v1/datasets', { config: { scope: 'train' } }, async () => {
    const datasets = await context.datasets.list();
    return { object: 'list', data: datasets.map(toDatasetJson) };
  });

  app.get<{ Params: IdParams }>(
    '/v1/datasets/:id',
    { schema: { params: IdParams }, config: { scope: 'train' } },
    async (request) => toDatasetJson(await context.datasets.get(request.params.id)),
  );

  app.delete<{ Params: IdParams }>(
    '/v1/datasets/:id',
    { schema: { params: IdParams }, config: { scope: 'train' } },
    async (request) => {
      await context.datasets.remove(request.params.id);
      return { id: request.params.id, object: 'dataset', deleted: true };
    },
  );
}

interface Upload {
  received: ReceivedFile & { fileName: string };
  fields: Record<string, string>;
}

/**
 * Reads the parts of a multipart request: the text fields, in any order, and one file, which
 * goes to a staging folder. On any error the staged file is deleted.
 */
async function receiveUpload(
  request: FastifyRequest,
  context: AppContext,
  maxBytes: number,
): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_MEDIA_TYPE_UNSUPPORTED',
      'POST /v1/datasets takes multipart/form-data with the dataset in a field named "file", e.g. curl -F file=@train.csv',
    );
  }
  const fields: Record<string, string> = {};
  let received: Upload['received'] | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== FILE_FIELD) {
        part.file.resume();
        throw invalidField(
          part.fieldname,
          `is not a known file field; send the dataset as "${FILE_FIELD}"`,
        );
      }
      const file = await context.datasets.receive(part.file, maxBytes, part.filename);
      received = { ...file, fileName: part.filename };
    }
  } catch (error) {
    if (received !== undefined) await context.datasets.discard(received);
    throw malformedMultipart(error) ?? error;
  }
  if (received === undefined) {
    throw invalidField(FILE_FIELD, 'is required: send the dataset file as a multipart file field');
  }
  return { received, fields };
}

/**
 * Returns a 400 error for a body that is not valid multipart data, such as one without a
 * boundary or cut off before the closing boundary. The multipart parser reports those as
 * plain errors. Returns undefined for any other error.
 */
function malformedMultipart(error: unknown): MaasError | undefined {
  if (error instanceof MaasError || !(error instanceof Error)) return undefined;
  if (!/boundary|unexpected end of (multipart|form)/i.test(error.message)) return undefined;
  return new MaasError(
    'MAAS_ERR_REQUEST_INVALID',
    `the request body is not valid multipart/form-data (${error.message}); send the dataset as a form upload, e.g. curl -F file=@train.csv`,
    { param: 'file', cause: error },
  );
}

/** Turns the text fields into the description of the dataset, rejecting unknown fields. */
function describe(
  fields: Record<string, string>,
  received: Upload['received'],
): DatasetDescription {
  const known = new Set<string>([...DESCRIPTION_FIELDS, ...Object.values(OPTION_FIELDS)]);
  const unknown = Object.keys(fields).find((field) => !known.has(field));
  if (unknown !== undefined) {
    throw invalidField(unknown, `is not a known field; the fields are ${[...known].join(', ')}`);
  }
  return {
    fileName: received.fileName,
    ...(fields['name'] === undefined ? {} : { name: fields['name'] }),
    ...(fields['format'] === undefined ? {} : { format: fields['format'] }),
    ...(fields['task'] === undefined ? {} : { task: fields['task'] }),
    options: readOptions(fields),
  };
}

function readOptions(fields: Record<string, string>): DatasetReadOptions {
  const options: DatasetReadOptions = {};
  const text = (name: string): string | undefined => fields[name];
  if (text('text_column') !== undefined) options.textColumn = column(text('text_column') as string);
  if (text('label_column') !== undefined) {
    options.labelColumn = column(text('label_column') as string);
  }
  if (text('header') !== undefined) options.header = boolean('header', text('header') as string);
  if (text('token_column') !== undefined) {
    options.tokenColumn = index('token_column', text('token_column') as string);
  }
  if (text('tag_column') !== undefined) {
    options.tagColumn = index('tag_column', text('tag_column') as string);
  }
  if (text('repair_tags') !== undefined) {
    options.repairTags = boolean('repair_tags', text('repair_tags') as string);
  }
  if (text('sense_column') !== undefined) {
    options.senseColumn = index('sense_column', text('sense_column') as string);
  }
  return options;
}

/** Parses a column selector: a 0-based index when the value is digits, else a name. */
function column(value: string): string | number {
  return /^\d+$/.test(value) ? Number(value) : value;
}

function index(field: string, value: string): number {
  if (!/^\d{1,6}$/.test(value)) {
    throw invalidField(field, `must be a 0-based column index, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function boolean(field: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') {
    throw invalidField(field, `must be true or false, got ${JSON.stringify(value)}`);
  }
  return value === 'true';
}

function invalidField(field: string, problem: string): MaasError {
  return new MaasError('MAAS_ERR_REQUEST_INVALID', `${field} ${problem}`, { param: field });
}

/**
 * Renames the read options that a parse error names, such as `textColumn`, to the form fields
 * of the upload, such as `text_column`.
 */
function withFormFieldNames(error: unknown): unknown {
  if (!(error instanceof MaasError) || error.param === undefined) return error;
  if (!Object.hasOwn(OPTION_FIELDS, error.param)) return error;
  let message = error.message;
  for (const [option, field] of Object.entries(OPTION_FIELDS)) {
    message = message.replace(new RegExp(`\\b${option}\\b`, 'g'), field);
  }
  return new MaasError(error.code, message, {
    param: OPTION_FIELDS[error.param as keyof typeof OPTION_FIELDS],
    details: error.details,
    cause: error,
  });
}
