/**
 * Every setting of the platform, with its one dotted name, type, default and meaning. The
 * environment variable of a setting is derived from its name (`server.body_limit` is
 * `MAAS_SERVER_BODY_LIMIT`); nothing else restates these defaults.
 */
export const SETTINGS = [
  {
    name: 'host',
    type: 'string',
    default: '127.0.0.1',
    description: 'Address the server listens on.',
  },
  {
    name: 'port',
    type: 'integer',
    default: 8080,
    min: 0,
    max: 65535,
    description: 'TCP port of the server; 0 picks a free port.',
  },
  {
    name: 'data_dir',
    type: 'string',
    default: './.maas',
    description: 'Folder for the metadata database and model artifacts.',
  },
  {
    name: 'models_dir',
    type: 'string',
    default: '',
    description:
      'Folder of bundled models registered at start; empty means the models/ folder shipped with nlp-maas.',
  },
  {
    name: 'log.level',
    type: 'string',
    default: 'info',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'Minimum level of log lines written to standard output.',
  },
  {
    name: 'server.body_limit',
    type: 'integer',
    default: 1_048_576,
    min: 1024,
    max: 1_073_741_824,
    description: 'Largest accepted request body, in bytes; larger bodies get 413.',
  },
  {
    name: 'server.request_timeout_ms',
    type: 'integer',
    default: 30_000,
    min: 0,
    max: 3_600_000,
    description:
      'Longest time to receive a whole request, in milliseconds; slower clients get 408. 0 turns the limit off.',
  },
  {
    name: 'limits.max_inputs',
    type: 'integer',
    default: 256,
    min: 1,
    max: 100_000,
    description: 'Most input texts in one predict request.',
  },
  {
    name: 'limits.max_input_chars',
    type: 'integer',
    default: 20_000,
    min: 1,
    max: 10_000_000,
    description: 'Most characters (UTF-16 code units) in one input text.',
  },
  {
    name: 'limits.max_candidate_labels',
    type: 'integer',
    default: 64,
    min: 1,
    max: 10_000,
    description:
      'Most zero-shot candidate labels per request; each label runs the model once per input.',
  },
  {
    name: 'limits.max_predicates',
    type: 'integer',
    default: 64,
    min: 1,
    max: 10_000,
    description:
      'Most predicates per semantic role labeling request; each predicate runs the model once per input.',
  },
  {
    name: 'limits.max_upload_bytes',
    type: 'integer',
    default: 104_857_600,
    min: 1,
    max: 17_179_869_184,
    description:
      'Largest dataset file accepted by POST /v1/datasets, in bytes; larger uploads get 413 and nothing is stored.',
  },
  {
    name: 'limits.max_tokens',
    type: 'integer',
    default: 2048,
    min: 1,
    max: 1_048_576,
    description:
      'Most tokens one text-generation request may generate; a larger max_tokens gets 400.',
  },
  {
    name: 'serving.register_bundled',
    type: 'boolean',
    default: true,
    description: 'Register the bundled models into the registry at start.',
  },
  {
    name: 'serving.max_batch_size',
    type: 'integer',
    default: 32,
    min: 1,
    max: 4096,
    description: 'Most inputs the scheduler of a model puts into one batch.',
  },
  {
    name: 'serving.max_batch_tokens',
    type: 'integer',
    default: 16_384,
    min: 1,
    max: 16_777_216,
    description:
      'Most tokens in one batch after padding (inputs times the longest input); a longer single input runs alone.',
  },
  {
    name: 'serving.max_queue_delay_ms',
    type: 'integer',
    default: 0,
    min: 0,
    max: 10_000,
    description:
      'Longest time the oldest queued input waits for more inputs before a batch that is not full runs. At 0 a batch starts as soon as the previous one ends, so inputs that arrive meanwhile share the next batch.',
  },
  {
    name: 'serving.max_queue_length',
    type: 'integer',
    default: 1024,
    min: 1,
    max: 1_000_000,
    description: 'Most inputs queued per model; beyond it requests get 503 with Retry-After.',
  },
  {
    name: 'serving.max_concurrent_batches',
    type: 'integer',
    default: 1,
    min: 1,
    max: 64,
    description: 'Batches of one model that run at the same time.',
  },
  {
    name: 'serving.max_padding_percent',
    type: 'integer',
    default: 50,
    min: 0,
    max: 100_000,
    description:
      'Most padding in a batch, in percent of its real tokens; an input that would exceed it waits for inputs of its own length.',
  },
  {
    name: 'serving.request_deadline_ms',
    type: 'integer',
    default: 30_000,
    min: 0,
    max: 3_600_000,
    description:
      'Longest time the inputs of a request may wait in the queue; later requests get 504. 0 turns the limit off.',
  },
  {
    name: 'serving.stream_interval_ms',
    type: 'integer',
    default: 10,
    min: 0,
    max: 10_000,
    description:
      'Shortest time between two text chunks of one streamed generation; text generated sooner is joined into the next chunk. 0 sends a chunk for every piece of text.',
  },
  {
    name: 'serving.memory_budget_mb',
    type: 'integer',
    default: 4096,
    min: 1,
    max: 1_048_576,
    description:
      'Model files the pool keeps loaded, in MiB; beyond it the least recently used models are unloaded.',
  },
  {
    name: 'serving.reference_cache_ms',
    type: 'integer',
    default: 1000,
    min: 0,
    max: 3_600_000,
    description:
      'Time the server reuses the version a model reference resolved to; an alias moved by another process takes effect within it. 0 resolves every request.',
  },
  {
    name: 'serving.ready_stale_ms',
    type: 'integer',
    default: 30_000,
    min: 100,
    max: 3_600_000,
    description:
      'A model with queued work and no finished batch for this long makes /readyz report not ready.',
  },
  {
    name: 'serving.pinned_models',
    type: 'string',
    default: '',
    description:
      'Comma-separated model references loaded at start and never unloaded; /readyz waits for them.',
  },
  {
    name: 'hub.allow_remote',
    type: 'boolean',
    default: false,
    description:
      'Allow `maas models import <hub-id>` to download a model from the hub; off keeps the server offline.',
  },
  {
    name: 'hub.endpoint',
    type: 'string',
    default: 'https://huggingface.co',
    description: 'Base address of the model hub that hub ids are downloaded from.',
  },
  {
    name: 'hub.max_download_mb',
    type: 'integer',
    default: 2048,
    min: 1,
    max: 1_048_576,
    description: 'Most MiB downloaded for one hub model, all its files together.',
  },
  {
    name: 'hub.download_timeout_ms',
    type: 'integer',
    default: 1_800_000,
    min: 1000,
    max: 86_400_000,
    description: 'Maximum time the download of one hub model may take, in milliseconds.',
  },
  {
    name: 'training.concurrency',
    type: 'integer',
    default: 1,
    min: 1,
    max: 64,
    description:
      'Training jobs that the server runs at the same time, each in a worker thread; later jobs wait in the queue.',
  },
  {
    name: 'training.max_parameters',
    type: 'integer',
    default: 100_000_000,
    min: 1,
    max: 10_000_000_000,
    description:
      'Most trainable weights that the model of one training job may have, estimated from its hyperparameters with the vocabulary at its largest size; a job over it is rejected before it is queued.',
  },
  {
    name: 'training.cancel_timeout_ms',
    type: 'integer',
    default: 5000,
    min: 0,
    max: 600_000,
    description:
      'Time a cancelled training job gets to stop after its current batch before its worker thread is terminated, in milliseconds.',
  },
  {
    name: 'server.shutdown_grace_ms',
    type: 'integer',
    default: 10_000,
    min: 0,
    max: 600_000,
    description:
      'Longest time, after SIGINT or SIGTERM, that in-flight requests may take to finish before the process exits anyway, in milliseconds.',
  },
  {
    name: 'cors.origins',
    type: 'string',
    default: '',
    description:
      'Comma-separated origins allowed to call the API from a browser (CORS), or * for any; empty turns CORS off.',
  },
  {
    name: 'auth.required',
    type: 'boolean',
    default: false,
    description:
      'Require an API key on every route outside the open list, even before any key exists. Without it, auth is on once a key exists, and always on a non-loopback host.',
  },
  {
    name: 'auth.bootstrap_admin_key',
    type: 'boolean',
    default: false,
    description:
      'On a start with no keys and a non-loopback host, create an admin key and print its secret once, instead of refusing to start.',
  },
  {
    name: 'keys.default_rpm',
    type: 'integer',
    default: 0,
    min: 0,
    max: 100_000_000,
    description: 'Requests per minute of a key created without --rpm; 0 means no limit.',
  },
  {
    name: 'keys.default_tpm',
    type: 'integer',
    default: 0,
    min: 0,
    max: 1_000_000_000,
    description: 'Tokens per minute of a key created without --tpm; 0 means no limit.',
  },
  {
    name: 'keys.default_max_concurrent',
    type: 'integer',
    default: 0,
    min: 0,
    max: 1_000_000,
    description:
      'Requests of one key in flight at the same time, for a key created without --max-concurrent; 0 means no limit.',
  },
  {
    name: 'keys.default_monthly_tokens',
    type: 'integer',
    default: 0,
    min: 0,
    max: 1_000_000_000_000,
    description:
      'Tokens per calendar month (UTC) of a key created without --monthly-tokens; 0 means no limit.',
  },
  {
    name: 'usage.flush_interval_ms',
    type: 'integer',
    default: 5000,
    min: 10,
    max: 3_600_000,
    description:
      'Time between writes of the buffered usage counters to the database, in milliseconds; shutdown writes them too.',
  },
  {
    name: 'usage.max_pending_rows',
    type: 'integer',
    default: 10_000,
    min: 1,
    max: 10_000_000,
    description:
      'Buffered (key, model, day) usage rows that trigger a write before the flush interval ends.',
  },
  {
    name: 'metrics.enabled',
    type: 'boolean',
    default: true,
    description: 'Serve Prometheus metrics at GET /metrics.',
  },
  {
    name: 'onnx.intra_op_threads',
    type: 'integer',
    default: 0,
    min: 0,
    max: 1024,
    description:
      'Threads ONNX Runtime uses inside one operator of one model; 0 means one per core.',
  },
  {
    name: 'onnx.graph_optimization_level',
    type: 'string',
    default: 'all',
    choices: ['disabled', 'basic', 'extended', 'all'],
    description: 'Graph optimizations ONNX Runtime applies when it loads a model.',
  },
  {
    name: 'llama.context_size',
    type: 'integer',
    default: 4096,
    min: 16,
    max: 1_048_576,
    description:
      'Tokens each sequence of a GGUF model holds, prompt and generated text together, unless the model was imported with its own.',
  },
  {
    name: 'llama.parallel_sequences',
    type: 'integer',
    default: 4,
    min: 1,
    max: 256,
    description:
      'Generations of one GGUF model that run together in one llama.cpp batch, unless the model was imported with its own; more wait in the queue.',
  },
  {
    name: 'llama.threads',
    type: 'integer',
    default: 0,
    min: 0,
    max: 1024,
    description:
      'CPU threads llama.cpp uses for a GGUF model, unless the model was imported with its own; 0 lets node-llama-cpp choose.',
  },
] as const satisfies readonly SettingDefinition[];

export interface SettingDefinition {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'boolean';
  readonly default: string | number | boolean;
  readonly description: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
}

export type SettingName = (typeof SETTINGS)[number]['name'];

type ValueOf<Definition> = Definition extends { type: 'integer' }
  ? number
  : Definition extends { type: 'boolean' }
    ? boolean
    : string;

/** The effective value of every setting, keyed by its dotted name. */
export type Settings = {
  readonly [Definition in (typeof SETTINGS)[number] as Definition['name']]: ValueOf<Definition>;
};

/** Environment variable that sets `name`: `MAAS_` and the name in upper case, dots as `_`. */
export function environmentVariableOf(name: string): string {
  return `MAAS_${name.toUpperCase().replace(/\./g, '_')}`;
}
