import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { MaasError } from '../../errors/index.js';
import { assertModelName, type ModelDetail, type ModelSummary } from '../../registry/index.js';

const NameParams = Type.Object({ name: Type.String() });
type NameParams = Static<typeof NameParams>;

/** Model listing in the OpenAI `GET /v1/models` shape, with registry fields added. */
function toListEntry(model: ModelSummary): Record<string, unknown> {
  return {
    id: model.name,
    object: 'model',
    created: Math.floor(Date.parse(model.createdAt) / 1000),
    owned_by: 'nlp-maas',
    task: model.task,
    description: model.description,
    latest_version: model.latestVersion,
    aliases: model.aliases,
  };
}

/** Model detail in the wire format of `GET /v1/models/{name}` (snake_case fields). */
export function toDetail(model: ModelDetail): Record<string, unknown> {
  return {
    id: model.name,
    object: 'model',
    name: model.name,
    task: model.task,
    description: model.description,
    created_at: model.createdAt,
    aliases: model.aliases,
    versions: model.versions.map((version) => ({
      version: version.version,
      runtime: version.runtime,
      created_at: version.createdAt,
      digest: version.digest,
      size_bytes: version.sizeBytes,
      aliases: version.aliases,
      model_card: version.modelCard,
    })),
  };
}

/** `GET /v1/models` and `GET /v1/models/{name}`, for keys with the scope `infer`. */
export function registerModelRoutes(app: FastifyInstance, context: AppContext): void {
  app.get('/v1/models', { config: { scope: 'infer' } }, async (request) => {
    const models = await context.registry.listModels();
    // A key restricted to some models gets only those in the list.
    const allowed = request.tenant?.key?.models ?? null;
    const visible =
      allowed === null ? models : models.filter((model) => allowed.includes(model.name));
    return { object: 'list', data: visible.map(toListEntry) };
  });

  app.get<{ Params: NameParams }>(
    '/v1/models/:name',
    { schema: { params: NameParams }, config: { scope: 'infer' } },
    async (request) => {
      const { name } = request.params;
      if (name.includes('@')) {
        throw new MaasError(
          'MAAS_ERR_MODEL_NAME_INVALID',
          `GET /v1/models/{name} takes a model name, not a reference; use /v1/models/${name.split('@')[0]}`,
          { param: 'name' },
        );
      }
      assertModelName(name);
      return toDetail(await context.registry.getModel(name));
    },
  );
}
