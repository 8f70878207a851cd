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
  /** Teardown's own commands (kill-server) still run after stopAllChildren. */
  teardown?: boolean;
}

const live = new Set<ChildProcess>();
let stopping = false;

export function runProc(file: string, args: readonly string[], options: ProcOptions): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    // After Ctrl-C no new process may start (a sender started now would write into a directory being removed).
    if (stopping && !options.teardown) return reject(new Error('the soak is stopping'));
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

/** Start no more children, SIGKILL every one still running, and wait (up to 5 s) until they have exited. */
export async function stopAllChildren(): Promise<void> {
  stopping = true;
  for (const child of live) child.kill('SIGKILL');
  for (let waited = 0; live.size > 0 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
}


