import { expect } from 'vitest';

/** One server-sent event as the client parsed it. */
export interface ReceivedEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

/** Rows of a tiny two-label dataset that trains in about a second. */
export function tinyReviewsCsv(rowsPerLabel = 20): string {
  const positive = ['房间很干净', '服务很好', 'great room 😀', '早餐不错'];
  const negative = ['房间很脏', '服务太差了', 'awful noise', '早餐难吃'];
  const rows = ['text,label'];
  for (let i = 0; i < rowsPerLabel; i++) {
    rows.push(`${positive[i % positive.length]} ${i},positive`);
    rows.push(`${negative[i % negative.length]} ${i},negative`);
  }
  return rows.join('\n') + '\n';
}

/** Hyperparameters small enough for a training job of about a second. */
export const TINY_HYPERPARAMETERS = {
  epochs: 2,
  max_length: 16,
  embedding_dim: 8,
  units: 8,
  batch_size: 8,
  min_count: 1,
  learning_rate: 0.01,
};

/** Uploads `content` as a dataset and returns its id. */
export async function uploadDataset(
  baseUrl: string,
  content: string,
  fileName: string,
  fields: Record<string, string> = {},
): Promise<string> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([content]), fileName);
  const response = await fetch(`${baseUrl}/v1/datasets`, { method: 'POST', body: form });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`upload failed with ${response.status}: ${await response.text()}`);
  }
  return ((await response.json()) as { id: string }).id;
}

/** Posts a training job and returns the response. */
export function postJob(baseUrl: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${baseUrl}/v1/training-jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Body of an error response of the API. */
export interface ErrorBody {
  error: { code: string; message: string; param?: string; details?: Record<string, unknown> };
}

/** Posts a training job, checks that the server queued it (201) and returns its id. */
export async function createJob(baseUrl: string, body: Record<string, unknown>): Promise<string> {
  const response = await postJob(baseUrl, body);
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Checks the status and error code of an error response and returns its body. */
export async function expectError(
  response: Response,
  status: number,
  code: string,
): Promise<ErrorBody> {
  const body = (await response.json()) as ErrorBody;
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  return body;
}

/** Returns the states of a job's `state` events, in order. */
export function stateSequence(events: ReceivedEvent[]): unknown[] {
  return events.filter((event) => event.type === 'state').map((event) => event.data['state']);
}

/**
 * Reads the events of job `jobId` and posts its cancel, with `headers`, at the first `epoch`
 * event. Returns the events and the HTTP status of the cancel, which is undefined when the job
 * ended before an epoch.
 */
export async function readEventsCancellingAtEpoch(
  baseUrl: string,
  jobId: string,
  headers: Record<string, string> = {},
): Promise<{ events: ReceivedEvent[]; cancelStatus: number | undefined }> {
  let cancelStatus: Promise<number> | undefined;
  const events = await readEvents(baseUrl, jobId, (event) => {
    if (event.type === 'epoch' && cancelStatus === undefined) {
      cancelStatus = fetch(`${baseUrl}/v1/training-jobs/${jobId}/cancel`, {
        method: 'POST',
        headers,
      }).then((response) => response.status);
    }
  });
  return { events, cancelStatus: await cancelStatus };
}

/**
 * Reads the event stream of a job until the server ends it, calling `onEvent` for each event
 * as it arrives, and returns every event.
 */
export async function readEvents(
  baseUrl: string,
  jobId: string,
  onEvent: (event: ReceivedEvent) => void = () => undefined,
  headers: Record<string, string> = {},
): Promise<ReceivedEvent[]> {
  const response = await fetch(`${baseUrl}/v1/training-jobs/${jobId}/events`, { headers });
  if (response.status !== 200 || response.body === null) {
    throw new Error(`event stream failed with ${response.status}: ${await response.text()}`);
  }
  const events: ReceivedEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event !== undefined) {
        events.push(event);
        onEvent(event);
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return events;
}

function parseEvent(block: string): ReceivedEvent | undefined {
  const fields = new Map<string, string>();
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(': ');
    if (colon !== -1) fields.set(line.slice(0, colon), line.slice(colon + 2));
  }
  const data = fields.get('data');
  if (data === undefined) return undefined;
  return {
    id: Number(fields.get('id')),
    type: fields.get('event') ?? 'message',
    data: JSON.parse(data) as Record<string, unknown>,
  };
}

/** Polls `GET /v1/training-jobs/{id}` until `done` accepts the job or `timeoutMs` passes. */
export async function waitForJob(
  baseUrl: string,
  jobId: string,
  done: (job: Record<string, unknown>) => boolean,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/training-jobs/${jobId}`);
    const job = (await response.json()) as Record<string, unknown>;
    if (done(job)) return job;
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} did not reach the expected state: ${JSON.stringify(job)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
