import type { Command } from 'commander';
import { buildServer } from '../api/server.js';
import { openContext } from '../app/context.js';
import { createLogger } from '../app/logger.js';
import { MaasError } from '../errors/index.js';
import { addDataOptions, configFromOptions } from './settings-options.js';

/** Grace period for in-flight requests after SIGINT or SIGTERM, in milliseconds. */
const SHUTDOWN_GRACE_MS = 10_000;

export function registerServeCommand(program: Command): void {
  addDataOptions(
    program
      .command('serve')
      .description('start the HTTP server and serve the registered and bundled models')
      .option('--host <host>', 'address to listen on (MAAS_HOST; default 127.0.0.1)')
      .option('--port <port>', 'TCP port (MAAS_PORT; default 8080)'),
  ).action(async (options: Record<string, unknown>) => {
    const config = configFromOptions(options, { host: options['host'], port: options['port'] });
    const { settings } = config;
    const logger = createLogger(settings['log.level']);
    const context = await openContext(settings, logger);
    const server = buildServer(context, logger);

    let address: string;
    try {
      address = await server.app.listen({ host: settings.host, port: settings.port });
    } catch (error) {
      await context.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new MaasError(
          'MAAS_ERR_CONFIG_INVALID',
          `port ${settings.port} on ${settings.host} is already in use; choose another with --port or MAAS_PORT`,
          { param: 'port', cause: error },
        );
      }
      throw error;
    }
    logger.info({ address, dataDir: context.dataDir, models: context.bundled }, 'server listening');
    server
      .warmUp()
      .catch((error: unknown) => logger.error({ err: error }, 'loading bundled models failed'));

    const shutdown = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
      timer.unref();
      server.app
        .close()
        .then(() => context.close())
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}
