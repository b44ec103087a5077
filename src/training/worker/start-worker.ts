import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on `entry`. Under tsx (tests, development) the entry is a .ts file,
 * and Node 20 applies no ESM loader hooks inside a worker thread: neither `--import tsx` in
 * `execArgv` nor `module.register` there makes .ts importable (checked on Node 20.20). The
 * worker therefore registers tsx's CommonJS hooks and requires the entry, which tsx compiles
 * to CommonJS.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) {
    return new Worker(entry, options);
  }
  const tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const bootstrap =
    `require(${JSON.stringify(tsxApi)}).register();\n` +
    `require(${JSON.stringify(fileURLToPath(entry))});\n`;
  return new Worker(bootstrap, { ...options, eval: true });
}
