import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import type { Logger } from 'pino';

let engine: Promise<Llama> | undefined;

/** pino method for each llama.cpp log level; `log` is llama.cpp's plain progress output. */
const LEVELS: Record<LlamaLogLevel, 'error' | 'warn' | 'info' | 'debug' | undefined> = {
  [LlamaLogLevel.disabled]: undefined,
  [LlamaLogLevel.fatal]: 'error',
  [LlamaLogLevel.error]: 'error',
  [LlamaLogLevel.warn]: 'warn',
  [LlamaLogLevel.info]: 'debug',
  [LlamaLogLevel.log]: 'debug',
  [LlamaLogLevel.debug]: 'debug',
};

/**
 * Returns the process's one llama.cpp binding, loading it on first call. It uses the
 * prebuilt CPU binary that node-llama-cpp ships and never builds or downloads one, so a
 * machine without a matching prebuilt binary gets an error here instead of a compile.
 * llama.cpp's own log lines go to `logger` at the matching pino level (its info lines at
 * debug, because it writes dozens per model load).
 */
export function getLlamaEngine(logger?: Logger): Promise<Llama> {
  engine ??= getLlama({
    // NOTE: GPU back ends are switched off. The CUDA and Vulkan prebuilt binaries install with
    // node-llama-cpp, but serving through them has not been tried.
    gpu: false,
    build: 'never',
    progressLogs: false,
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const method = LEVELS[level];
      const text = message.trimEnd();
      if (method !== undefined && logger !== undefined && text !== '') {
        logger[method]({ runtime: 'llama' }, text);
      }
    },
  });
  const loading = engine;
  // A failed load is forgotten so the next model load retries it.
  loading.catch(() => {
    if (engine === loading) engine = undefined;
  });
  return loading;
}
