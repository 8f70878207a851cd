// Who is this process, and is that (recorded) process still running? Used for crash detection and stale claims.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProcessRef } from './types.js';

let self: ProcessRef | undefined;

/** This process, with boot id and start time when /proc has them (Linux), so a reused pid is not mistaken for us. */
export function selfRef(): ProcessRef {
  self ??= describe(process.pid);
  return self;
}

function describe(pid: number): ProcessRef {
  const ref: ProcessRef = { pid, machine: hostname() };
  const boot = bootId();
  const start = startTime(pid);
  if (boot !== undefined) ref.boot = boot;
  if (start !== undefined) ref.start = start;
  return ref;
}

/** true: running; false: certainly gone; undefined: cannot tell (it ran on another machine). */
export function isAlive(ref: ProcessRef): boolean | undefined {
  if (ref.machine !== hostname()) return undefined;
  const boot = bootId();
  if (ref.boot !== undefined && boot !== undefined && ref.boot !== boot) return false;
  if (!signalable(ref.pid)) return false;
  const stat = readStat(ref.pid);
  if (stat === undefined) return true; // no /proc: kill(0) is all we know
  if (stat.state === 'Z' || stat.state === 'X') return false; // exited, not yet reaped
  return ref.start === undefined || ref.start === stat.start;
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let boot: string | null | undefined;

function bootId(): string | undefined {
  if (boot === undefined) boot = readText('/proc/sys/kernel/random/boot_id')?.trim() ?? null;
  return boot ?? undefined;
}

function startTime(pid: number): string | undefined {
  return readStat(pid)?.start;
}

/** State (field 3) and start time (field 22) from /proc/<pid>/stat; the name field may hold spaces and ')'. */
function readStat(pid: number): { state: string; start: string } | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19];
  return state === undefined || start === undefined ? undefined : { state, start };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
