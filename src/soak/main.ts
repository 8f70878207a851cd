#!/usr/bin/env node
// `npm run soak`: the reliability soak over the real CLI (see docs/soak.md for what each figure means).
// Not product code: excluded from the shipped package.
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { parseSoakArgs, SOAK_HELP } from './options.js';
import { runSoak, SoakError } from './run.js';
import { buildReport, renderTable } from './report.js';
import { stopAllChildren } from './proc.js';
import type { PrivateFleet } from './fleet.js';

const USAGE_EXIT = 3;
const DEFECTS_EXIT = 1;
const FAILED_EXIT = 2;

async function main(): Promise<number> {
  const parsed = parseSoakArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(SOAK_HELP);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`soak: ${parsed.message}\n`);
    return USAGE_EXIT;
  }
  const options = parsed.options;
  const root = packageRoot();
  const bins = { fleet: join(root, 'dist', 'cli', 'mosaic-fleet.cjs'), agent: join(root, 'dist', 'cli', 'mosaic-agent.cjs'), sim: join(root, 'dist', 'sim', 'main.js') };
  let fleet: PrivateFleet | null = null;
  let interrupted = false;
  const teardown = async () => {
    await stopAllChildren();
    if (fleet && !options.keep) await fleet.teardown();
  };
  // Ctrl-C or a kill: end our children and remove the fleet (unless --keep), then leave.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`soak: ${signal}, tearing down${options.keep ? ' (kept: --keep)' : ''}\n`);
      void teardown().finally(() => process.exit(130));
    });
  }
  try {
    const outcome = await runSoak(options, bins, {
      onFleet: (f) => {
        fleet = f;
      },
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    const report = buildReport({ options, runId: outcome.plan.runId, ...outcome });
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTable(report)}\n`);
    return report.ok ? 0 : DEFECTS_EXIT;
  } catch (error) {
    // The sends cut short by Ctrl-C fail on purpose; the signal handler reports and exits.
    if (interrupted) return 130;
    const message = error instanceof SoakError ? error.message : `unexpected failure: ${(error as Error).stack ?? String(error)}`;
    if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, error: { message } }, null, 2)}\n`);
    process.stderr.write(`soak: ${message}\n`);
    return FAILED_EXIT;
  } finally {
    await teardown();
  }
}

process.exitCode = await main();
