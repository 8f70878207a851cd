// Child processes of the soak: argv arrays only (never a shell), every live child tracked so teardown can end it.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export interface ProcOptions {
  env: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  /** Called once the child exists (to kill it on a fault). */
  onSpawn?: (child: ChildProcess) => void;
}

const live = new Set<ChildProcess>();

export function runProc(file: string, args: readonly string[], options: ProcOptions): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(file, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      live.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), wallMs: Date.now() - started });
    });
    // A child killed before reading its stdin must not crash us with EPIPE.
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
    options.onSpawn?.(child);
  });
}

/** SIGKILL every child still running (teardown and Ctrl-C); returns how many there were. */
export function killLiveChildren(): number {
  const n = live.size;
  for (const child of live) child.kill('SIGKILL');
  return n;
}
