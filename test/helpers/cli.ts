// Run the built executables as a user would (npm test builds first).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = {
  agent: join(ROOT, 'dist', 'cli', 'mosaic-agent.cjs'),
  fleet: join(ROOT, 'dist', 'cli', 'mosaic-fleet.cjs'),
};

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program with exactly `env` (default: this process's), stdin from `input`, killed after `timeoutMs`. */
export function runProcess(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** One of our executables (or a node script), with this process's environment plus `options.env`. */
export function runCli(
  bin: keyof typeof BIN | string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  const file = bin in BIN ? BIN[bin as keyof typeof BIN] : bin;
  return runProcess(process.execPath, [file, ...args], { ...options, env: { ...process.env, NO_COLOR: '1', ...options.env } });
}

/** runCli with --json: the one JSON document it printed (a failure to print one is a test failure with the output). */
export async function runCliJson(
  bin: keyof typeof BIN,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ code: number | null; doc: any; stderr: string }> {
  const r = await runCli(bin, [...args, '--json'], options);
  try {
    return { code: r.code, doc: JSON.parse(r.stdout), stderr: r.stderr };
  } catch {
    throw new Error(`mosaic-${bin} ${args.join(' ')}: not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
