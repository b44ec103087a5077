import type { ServerResponse } from 'node:http';

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { JOB_STATES, isFinalState } from '../../training/jobs/states.js';
import type { JobEvent, JobEventMap } from '../../training/jobs/events.js';
import { toJobJson } from '../../training/jobs/job-record.js';
import type { TrainingJobs } from '../../training/jobs/training-jobs.js';

const IdParams = Type.Object({ id: Type.String() });
type IdParams = Static<typeof IdParams>;

const ListQuery = Type.Object(
  { state: Type.Optional(Type.Union(JOB_STATES.map((state) => Type.Literal(state)))) },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;

const JobBody = Type.Object(
  {
    dataset_id: Type.String({ minLength: 1 }),
    validation_dataset_id: Type.Optional(Type.String({ minLength: 1 })),
    task: Type.Optional(Type.String()),
    architecture: Type.Optional(Type.String()),
    hyperparameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    validation_split: Type.Optional(Type.Number()),
    model: Type.String(),
    alias: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
type JobBody = Static<typeof JobBody>;

/** Interval of the comment lines that keep an idle event stream open through proxies. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Registers `POST /v1/training-jobs`, `GET /v1/training-jobs[/{id}]`,
 * `POST /v1/training-jobs/{id}/cancel` and `GET /v1/training-jobs/{id}/events`.
 */
export function registerTrainingJobRoutes(app: FastifyInstance, jobs: TrainingJobs): void {
  app.post<{ Body: JobBody }>(
    '/v1/training-jobs',
    { schema: { body: JobBody }, config: { scope: 'train' } },
    async (request, reply) => {
      const job = await jobs.create(request.body);
      void reply.status(201);
      return toJobJson(job);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/v1/training-jobs',
    { schema: { querystring: ListQuery }, config: { scope: 'train' } },
    async (request) => {
      const list = await jobs.store.list(request.query.state);
      return { object: 'list', data: list.map(toJobJson) };
    },
  );

  app.get<{ Params: IdParams }>(
    '/v1/training-jobs/:id',
    { schema: { params: IdParams }, config: { scope: 'train' } },
    async (request) => toJobJson(await jobs.store.get(request.params.id)),
  );

  app.post<{ Params: IdParams }>(
    '/v1/training-jobs/:id/cancel',
    { schema: { params: IdParams }, config: { scope: 'train' } },
    async (request, reply) => {
      const job = await jobs.runner.cancel(request.params.id);
      // A running job stops after its current batch, so the cancel is accepted, not done.
      void reply.status(job.state === 'cancelled' ? 200 : 202);
      return toJobJson(job);
    },
  );

  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    // Running jobs end first, so that their streams send the final state before they close.
    await jobs.runner.close();
    for (const stream of streams) stream.end();
  });
  app.get<{ Params: IdParams }>(
    '/v1/training-jobs/:id/events',
    { schema: { params: IdParams }, config: { scope: 'train' } },
    async (request, reply) => streamEvents(request, reply, jobs, streams),
  );
}

/**
 * Sends the events of a job as server-sent events: the stored ones after `Last-Event-ID`
 * first, then live ones, and ends the stream after the event of a final state. Each event has
 * its number as `id`, its type as `event` and its fields as JSON `data`.
 */
async function streamEvents(
  request: FastifyRequest<{ Params: IdParams }>,
  reply: FastifyReply,
  jobs: TrainingJobs,
  streams: Set<ServerResponse>,
): Promise<void> {
  const { id } = request.params;
  // Throws the 404 before the stream starts.
  await jobs.store.get(id);
  const header = String(request.headers['last-event-id'] ?? '').trim();
  // Digits only, as ids are sent. An id past the last event, however long, means "all received".
  const lastEventId = /^\d+$/.test(header) ? Number(header) : 0;

  void reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': request.id,
  });
  streams.add(raw);

  let lastSeq = lastEventId;
  let replaying = true;
  const pending: JobEvent[] = [];
  const send = (event: JobEvent): void => {
    if (raw.writableEnded || event.seq <= lastSeq) return;
    lastSeq = event.seq;
    raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    if (event.type === 'state' && isFinalState((event.data as JobEventMap['state']).state)) {
      raw.end();
    }
  };
  // Subscribe before reading the store, so that no event falls between the two.
  const unsubscribe = jobs.hub.subscribe(id, (event) => {
    if (replaying) pending.push(event);
    else send(event);
  });
  const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  raw.once('close', () => {
    unsubscribe();
    clearInterval(keepAlive);
    streams.delete(raw);
  });

  try {
    // All stored events, read once: the replay sends those after `lastSeq`, and the last one
    // bounds an id that a client names past the end.
    const stored = await jobs.store.listEvents(id, 0);
    const lastStored = stored.at(-1)?.seq ?? 0;
    for (const event of stored) send(event);
    // A client that has received the final event, or names an id past the last one, gets
    // nothing more, so the stream ends now instead of waiting for an event that never comes.
    const job = await jobs.store.get(id);
    if (isFinalState(job.state)) {
      raw.end();
      return;
    }
    lastSeq = Math.min(lastSeq, lastStored);
  } catch (error) {
    request.log.error({ err: error, job: id }, 'reading training job events failed');
    raw.end();
    return;
  }
  replaying = false;
  for (const event of pending) send(event);
}
