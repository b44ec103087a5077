#!/usr/bin/env node
// Entry point of the `maas` command: runs the compiled CLI (`npm run build` writes dist/).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('error: the CLI is not built yet; run `npm run build` (or `npm start`) first');
  process.exit(2);
}
await import(main.href);
