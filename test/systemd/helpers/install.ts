// Shared by the install-systemd and install-tools tests: run the commands as a user would, temp dirs, goldens.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT, runCli, type CliResult } from '../../helpers/cli.js';

/** The install commands mounted on a bare program (see install-bin.mjs); the same handlers src/cli/fleet.ts mounts. */
export const INSTALL_BIN = join(import.meta.dirname, 'install-bin.mjs');
export const FLEET_CLI = join(ROOT, 'dist', 'cli', 'fleet-bin.js');
export const AGENT_CLI = join(ROOT, 'dist', 'cli', 'agent-bin.js');
const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden');

/** A PATH that does not depend on the developer's shell (node and the CLIs are always called by absolute path). */
export const PLAIN_PATH = '/usr/local/bin:/usr/bin:/bin';

export function runInstall(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return runCli(INSTALL_BIN, args, { env, ...(input !== undefined ? { input } : {}) });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** Compare with test/systemd/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual, `golden ${name} (UPDATE_GOLDEN=1 to rewrite)`).toBe(readFileSync(path, 'utf8'));
}

/** Replace machine-specific absolute paths with stable placeholders (longest first). */
export function normalise(text: string, replacements: Record<string, string>): string {
  return Object.entries(replacements)
    .sort(([a], [b]) => b.length - a.length)
    .reduce((acc, [from, to]) => acc.split(from).join(to), text);
}
