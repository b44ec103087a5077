/**
 * Registry of every error code the platform returns. Each entry fixes the HTTP status and a
 * one-line description used in docs/errors.md; the thrown message names the offending value
 * and the fix. A test keeps this table, the ErrorCode type and the docs in step.
 */
export const ERROR_CODES = {
  MAAS_ERR_REQUEST_INVALID: { status: 400, description: 'The request body or query is invalid.' },
  MAAS_ERR_REQUEST_JSON_INVALID: {
    status: 400,
    description: 'The request body is not valid JSON.',
  },
  MAAS_ERR_REQUEST_TOO_LARGE: {
    status: 413,
    description: 'The request body is larger than server.body_limit.',
  },
  MAAS_ERR_REQUEST_TIMEOUT: {
    status: 408,
    description: 'The whole request did not arrive within server.request_timeout_ms.',
  },
  MAAS_ERR_REQUEST_MEDIA_TYPE_UNSUPPORTED: {
    status: 415,
    description: 'The request body has a content type that the route does not accept.',
  },
  MAAS_ERR_ROUTE_NOT_FOUND: { status: 404, description: 'No route matches the method and path.' },
  MAAS_ERR_INPUT_EMPTY: { status: 422, description: 'An input text is empty after normalization.' },
  MAAS_ERR_INPUT_TOO_LONG: {
    status: 413,
    description: 'An input text has more characters than limits.max_input_chars.',
  },
  MAAS_ERR_INPUT_TOO_MANY: {
    status: 413,
    description: 'A request has more inputs than limits.max_inputs.',
  },
  MAAS_ERR_PROMPT_TOO_LONG: {
    status: 400,
    description: 'A prompt or input has more tokens than the context of the model holds.',
  },
  MAAS_ERR_MODEL_NOT_FOUND: { status: 404, description: 'No model has that name.' },
  MAAS_ERR_VERSION_NOT_FOUND: { status: 404, description: 'The model has no such version.' },
  MAAS_ERR_ALIAS_NOT_FOUND: { status: 404, description: 'The model has no such alias.' },
  MAAS_ERR_MODEL_REFERENCE_INVALID: {
    status: 400,
    description: 'A model reference is not of the form name, name@version or name@alias.',
  },
  MAAS_ERR_MODEL_NAME_INVALID: {
    status: 400,
    description: 'A model or alias name does not match the allowed pattern.',
  },
  MAAS_ERR_MODEL_TASK_MISMATCH: {
    status: 409,
    description: 'A new version has a different task from the existing model.',
  },
  MAAS_ERR_MODEL_LOAD_FAILED: {
    status: 500,
    description: 'The runtime could not load the version artifacts.',
  },
  MAAS_ERR_TASK_UNSUPPORTED: {
    status: 422,
    description: 'The operation does not support the model task or runtime.',
  },
  MAAS_ERR_ARTIFACT_INVALID: {
    status: 422,
    description: 'A version folder is missing a required file or contains an invalid one.',
  },
  MAAS_ERR_DATASET_INVALID: {
    status: 422,
    description: 'A dataset file has rows that cannot be used; the message names the lines.',
  },
  MAAS_ERR_DATASET_COLUMN_NOT_FOUND: {
    status: 422,
    description: 'The text or label column named in the request is not in the dataset.',
  },
  MAAS_ERR_DATASET_NOT_FOUND: {
    status: 404,
    description: 'No dataset has that id, or the dataset file cannot be read.',
  },
  MAAS_ERR_DATASET_EMPTY: { status: 422, description: 'A dataset has no usable rows.' },
  MAAS_ERR_DATASET_FORMAT_UNKNOWN: {
    status: 400,
    description: 'The dataset format is missing or not one of the supported formats.',
  },
  MAAS_ERR_DATASET_TOO_LARGE: {
    status: 413,
    description: 'An uploaded dataset file is larger than limits.max_upload_bytes.',
  },
  MAAS_ERR_DATASET_IN_USE: {
    status: 409,
    description: 'A queued or running training job uses the dataset, so it cannot be deleted.',
  },
  MAAS_ERR_DATASET_EXISTS: {
    status: 409,
    description: 'The same file is already stored as a dataset with other read settings.',
  },
  MAAS_ERR_DATASET_KIND_MISMATCH: {
    status: 400,
    description: 'A dataset contains another kind of data than the task of the training job reads.',
  },
  MAAS_ERR_TRAINING_INVALID: {
    status: 422,
    description: 'Training parameters or data cannot produce a model.',
  },
  MAAS_ERR_TRAINING_CANCELLED: { status: 409, description: 'A training run was cancelled.' },
  MAAS_ERR_TRAINING_FAILED: { status: 500, description: 'A training run stopped with an error.' },
  MAAS_ERR_TRAINING_JOB_NOT_FOUND: { status: 404, description: 'No training job has that id.' },
  MAAS_ERR_TRAINING_JOB_STATE: {
    status: 409,
    description: 'The training job is in a state that does not allow the operation.',
  },
  MAAS_ERR_CONFIG_INVALID: { status: 400, description: 'A configuration value is invalid.' },
  MAAS_ERR_NOT_READY: { status: 503, description: 'The server has not finished loading models.' },
  MAAS_ERR_MODEL_OVERLOADED: {
    status: 503,
    description: 'The queue of the model has no room for the inputs of the request.',
  },
  MAAS_ERR_DEADLINE_EXCEEDED: {
    status: 504,
    description: 'The request deadline passed while some of its inputs were still queued.',
  },
  MAAS_ERR_REQUEST_CANCELLED: {
    status: 499,
    description: 'The client cancelled the request before it finished.',
  },
  MAAS_ERR_HUB_DISABLED: {
    status: 400,
    description: 'A model hub id was given while hub.allow_remote is false.',
  },
  MAAS_ERR_HUB_MODEL_NOT_FOUND: {
    status: 404,
    description: 'The model hub has no such repository, revision or required file.',
  },
  MAAS_ERR_HUB_DOWNLOAD_FAILED: {
    status: 502,
    description: 'A download from the model hub failed or timed out.',
  },
  MAAS_ERR_HUB_DOWNLOAD_TOO_LARGE: {
    status: 413,
    description: 'A hub model is larger than hub.max_download_mb.',
  },
  MAAS_ERR_MODEL_PINNED: {
    status: 409,
    description: 'A pinned model (serving.pinned_models) cannot be unloaded.',
  },
  MAAS_ERR_AUTH_KEY_MISSING: {
    status: 401,
    description: 'The route needs an API key and the request sent none.',
  },
  MAAS_ERR_AUTH_KEY_INVALID: {
    status: 401,
    description: 'The API key is unknown, malformed or revoked.',
  },
  MAAS_ERR_AUTH_SCOPE_MISSING: {
    status: 403,
    description: 'The API key lacks the scope (infer, train or admin) that the route needs.',
  },
  MAAS_ERR_AUTH_MODEL_FORBIDDEN: {
    status: 403,
    description: 'The API key is restricted to other models.',
  },
  MAAS_ERR_RATE_LIMITED: {
    status: 429,
    description:
      'The API key is over its requests per minute, tokens per minute or concurrent requests.',
  },
  MAAS_ERR_QUOTA_EXCEEDED: {
    status: 429,
    description: 'The API key has used its monthly token quota.',
  },
  MAAS_ERR_KEY_NOT_FOUND: { status: 404, description: 'No API key has that id.' },
  MAAS_ERR_INTERNAL_ERROR: { status: 500, description: 'An unexpected server error.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
