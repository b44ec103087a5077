import type { SettingName } from '../../src/config/index.js';
import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { openTestContext, silentLogger } from './sentiment-fixture.js';

/** A server of a test, listening on a free loopback port. */
export interface TestServer {
  context: AppContext;
  server: Server;
  baseUrl: string;
  /** Closes the server, then its context. */
  close(): Promise<void>;
}

/**
 * Opens a context in `root` with `flags` (see {@link openTestContext}), lets `prepare`
 * register models in it, and starts a server on it.
 */
export async function startTestServer(
  root: string,
  flags: Partial<Record<SettingName, unknown>> = {},
  prepare: (context: AppContext) => Promise<void> = async () => undefined,
): Promise<TestServer> {
  const context = await openTestContext(root, flags);
  await prepare(context);
  const server = buildServer(context, silentLogger());
  const baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    context,
    server,
    baseUrl,
    close: async () => {
      await server.app.close();
      await context.close();
    },
  };
}
