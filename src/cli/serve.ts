import type { Command } from 'commander';
import { buildServer } from '../api/server.js';
import { shutDown } from '../api/shutdown.js';
import { openContext } from '../app/context.js';
import { createLogger } from '../app/logger.js';
import { MaasError } from '../errors/index.js';
import { ensureAuthConfigured } from '../tenancy/index.js';
import { addDataOptions, configFromOptions } from './settings-options.js';

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
    let bootstrap;
    try {
      bootstrap = await ensureAuthConfigured(context.tenancy.keys, {
        host: settings.host,
        bootstrapAdminKey: settings['auth.bootstrap_admin_key'],
      });
    } catch (error) {
      await context.close();
      throw error;
    }
    if (bootstrap.secret !== undefined) {
      logger.warn(
        { keyId: bootstrap.createdKeyId },
        'created an admin API key; its secret is printed once',
      );
      // Printed outside the JSON log lines, so that log shippers do not store it as a field.
      console.log(`admin API key ${bootstrap.createdKeyId}: ${bootstrap.secret}`);
    }
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
      shutDown(server, context, settings['server.shutdown_grace_ms'], logger)
        .then((clean) => process.exit(clean ? 0 : 1))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}
