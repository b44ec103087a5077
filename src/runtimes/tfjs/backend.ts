import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

let ready: Promise<void> | undefined;

/**
 * Selects the tfjs wasm backend once per process (or worker thread). The pure-JS CPU backend
 * stays registered: parity tests and the fallback kernels run on it.
 */
export function useWasmBackend(): Promise<void> {
  ready ??= (async () => {
    const selected = await tf.setBackend('wasm');
    if (!selected) {
      throw new Error('tfjs could not initialize the wasm backend');
    }
    await tf.ready();
  })();
  return ready;
}

/**
 * Runs `build` with one console.warn message dropped. tfjs-layers 4.22 prints it whenever the
 * orthogonal initializer builds a matrix of more than 2,000 elements, as every LSTM wider than
 * 22 units does. The message is only about speed at build time.
 */
export function withoutOrthogonalWarning<T>(build: () => T): T {
  const warn = console.warn;
  const restore = (): void => {
    console.warn = warn;
  };
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer')) return;
    warn(...args);
  };
  let result: T;
  try {
    result = build();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(restore) as T;
  }
  restore();
  return result;
}

export { tf };
