import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One finished batch of a model's scheduler. */
export interface BatchObservation {
  size: number;
  paddedTokens: number;
  queueMs: number;
  computeMs: number;
}

/** A model's scheduler as the queue-depth gauge reads it. */
export interface QueueSource {
  model: string;
  queueDepth: number;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const BATCH_TOKEN_BUCKETS = [16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144];

/**
 * The Prometheus metrics of one server, in a registry of their own so that several servers
 * in one process (as in tests) do not share counts. Names follow Prometheus conventions:
 * seconds for durations, `_total` for counters.
 */
export class ServingMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status' | 'model'>;
  readonly #requestDuration: Histogram<'route' | 'model'>;
  readonly #queueTime: Histogram<'model'>;
  readonly #computeTime: Histogram<'model'>;
  readonly #batchSize: Histogram<'model'>;
  readonly #batchTokens: Histogram<'model'>;

  constructor(sources: { queues: () => QueueSource[]; loadedModels: () => number }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: 'maas_requests_total',
      help: 'HTTP requests by route, method, status code and model (empty when none).',
      labelNames: ['route', 'method', 'status', 'model'],
      registers,
    });
    this.#requestDuration = new Histogram({
      name: 'maas_request_duration_seconds',
      help: 'Time from receiving a request to sending its response.',
      labelNames: ['route', 'model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#queueTime = new Histogram({
      name: 'maas_queue_time_seconds',
      help: 'Maximum time an input of a batch waited in the queue before the batch ran.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#computeTime = new Histogram({
      name: 'maas_compute_time_seconds',
      help: 'Time the runtime took for one batch.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#batchSize = new Histogram({
      name: 'maas_batch_size',
      help: 'Inputs per batch.',
      labelNames: ['model'],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.#batchTokens = new Histogram({
      name: 'maas_batch_tokens',
      help: 'Tokens per batch after padding (inputs times the longest input).',
      labelNames: ['model'],
      buckets: BATCH_TOKEN_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'maas_queue_depth',
      help: 'Inputs waiting in the queue of each loaded model.',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        for (const source of sources.queues()) this.set({ model: source.model }, source.queueDepth);
      },
    });
    new Gauge({
      name: 'maas_models_loaded',
      help: 'Model versions loaded in memory.',
      registers,
      collect() {
        this.set(sources.loadedModels());
      },
    });
  }

  observeRequest(labels: {
    route: string;
    method: string;
    status: number;
    model: string;
    seconds: number;
  }): void {
    const { route, method, status, model, seconds } = labels;
    this.#requests.inc({ route, method, status: String(status), model });
    this.#requestDuration.observe({ route, model }, seconds);
  }

  observeBatch(model: string, batch: BatchObservation): void {
    this.#queueTime.observe({ model }, batch.queueMs / 1000);
    this.#computeTime.observe({ model }, batch.computeMs / 1000);
    this.#batchSize.observe({ model }, batch.size);
    this.#batchTokens.observe({ model }, batch.paddedTokens);
  }

  /** The text exposition format that `GET /metrics` returns. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
