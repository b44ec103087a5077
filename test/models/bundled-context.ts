import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect } from 'vitest';
import { openContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/index.js';

/** A context on a fresh data folder, which registers the bundled models at start. */
export interface BundledContext {
  context: AppContext;
  /** Closes the context and removes its data folder. */
  close(): Promise<void>;
}

/** Opens a context with default settings on a new data folder named after `name`. */
export async function openBundledContext(name: string): Promise<BundledContext> {
  const dataDir = mkdtempSync(join(tmpdir(), `maas-bundled-${name}-`));
  const { settings } = loadConfig({ env: { MAAS_DATA_DIR: dataDir }, file: undefined, cwd: dataDir });
  const context = await openContext(settings, pino({ level: 'silent' }));
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Checks that the bundled model `name` is registered as version 1 with the production alias. */
export async function expectBundledRegistration(context: AppContext, name: string): Promise<void> {
  const version = await context.registry.resolve(name);

  expect(version.version).toBe(1);
  expect(version.runtime).toBe('onnx');
  expect(version.aliases).toContain('production');
  expect(context.bundled).toContain(`${name}@1`);
}
