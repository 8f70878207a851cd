#!/usr/bin/env node
// Entry point of the built-in demo agent: `node dist/sim/main.js [options]`.
import { HELP, parseArgs } from './options.js';
import { runSim } from './run.js';

const USAGE_EXIT = 3;

process.title = 'mosaic-sim';
const parsed = parseArgs(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  process.stdout.write(HELP);
} else if (parsed.kind === 'error') {
  process.stderr.write(`mosaic-sim: ${parsed.message}\n`);
  process.exitCode = USAGE_EXIT;
} else {
  runSim(parsed.options);
}
