#!/usr/bin/env node
// Entry point of the `maas` command: runs the compiled CLI (`npm run build` writes dist/).
import '../dist/cli/main.js';
