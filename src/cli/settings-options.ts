import type { Command } from 'commander';
import { openContext, type AppContext } from '../app/context.js';
import { createLogger } from '../app/logger.js';
import { loadConfig, type LoadedConfig, type SettingName } from '../config/index.js';

/** Flags shared by every command that opens the data directory. */
export function addDataOptions(command: Command): Command {
  return command
    .option(
      '--data-dir <dir>',
      'folder for the database and model artifacts (MAAS_DATA_DIR; default ./.maas)',
    )
    .option('--models-dir <dir>', 'folder of bundled models to register (MAAS_MODELS_DIR)')
    .option('--config <file>', 'configuration file (default ./maas.config.json when present)')
    .option(
      '--log-level <level>',
      'fatal, error, warn, info, debug, trace or silent (MAAS_LOG_LEVEL)',
    );
}

/** Resolves the settings with the command's flags on top. */
export function configFromOptions(
  options: Record<string, unknown>,
  extraFlags: Partial<Record<SettingName, unknown>> = {},
): LoadedConfig {
  return loadConfig({
    file: options['config'] as string | undefined,
    flags: {
      data_dir: options['dataDir'],
      models_dir: options['modelsDir'],
      'log.level': options['logLevel'],
      ...extraFlags,
    },
  });
}

/**
 * Opens the data directory for a one-shot command, runs `action` and closes it again. The
 * command logs to standard error, at `warn` unless a log level was set explicitly.
 */
export async function withCommandContext<T>(
  options: Record<string, unknown>,
  action: (context: AppContext) => Promise<T>,
): Promise<T> {
  const { settings, sources } = configFromOptions(options);
  const level = sources['log.level'] === 'default' ? 'warn' : settings['log.level'];
  const context = await openContext(settings, createLogger(level, 2));
  try {
    return await action(context);
  } finally {
    await context.close();
  }
}
