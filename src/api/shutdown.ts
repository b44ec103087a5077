import type { Logger } from 'pino';

import type { AppContext } from '../app/context.js';
import type { Server } from './server.js';

/** Time between closes of keep-alive connections that went idle during shutdown, in ms. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then
 * writes the buffered usage and closes the stores. Returns false when requests were still
 * running at the deadline.
 */
export async function shutDown(
  server: Server,
  context: AppContext,
  graceMs: number,
  logger: Logger,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  // A keep-alive connection turns idle once its last response is sent, and Node's close()
  // closes only the connections idle at the time of the call, so the rest are swept here.
  const sweep = setInterval(() => server.app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  const clean = await Promise.race([server.app.close().then(() => true as const), deadline]);
  clearTimeout(timer);
  clearInterval(sweep);
  if (!clean) logger.warn({ graceMs }, 'requests still running at the shutdown deadline');
  await context.close();
  return clean;
}
