// A fleet service (`mosaic-fleet serve`) for one test, and a subscriber to its event stream.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { serviceSocketPath } from '../../src/service/paths.cjs';
import { lineReader } from '../../src/service/protocol.cjs';
import { BIN } from './cli.js';
import { waitFor } from './tmux.js';

export interface RunningService {
  child: ChildProcess;
  pid: number;
  socket: string;
  stderr(): string;
  /** Resolves with the exit code once it exited. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
  kill(): Promise<number | null>;
}

export function serviceSocket(roster: string, env: NodeJS.ProcessEnv = process.env): string {
  return serviceSocketPath(roster, env);
}

/** A test double standing where a service listens (another version, an older build): every line a client sends is
 *  recorded in `received` and handed to `answer` with the client's socket. */
export async function fakeServiceAt(
  path: string,
  received: Array<Record<string, unknown>>,
  answer: (message: Record<string, unknown>, socket: Socket) => void,
): Promise<{ close(): void }> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true });
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.on(
      'data',
      lineReader((m) => {
        received.push(m as Record<string, unknown>);
        answer(m as Record<string, unknown>, s);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(path, () => resolve()));
  return { close: () => server.close() };
}

/** Start `mosaic-fleet serve --roster R`; resolves once it listens (or rejects with what it printed). */
export async function startService(roster: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<RunningService> {
  const child = spawn(process.execPath, [BIN.fleet, 'serve', '--roster', roster, ...extra], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  await waitFor(`the service to listen (stderr: ${err})`, () => done || /listening on /.test(err), 30_000);
  if (done) throw new Error(`mosaic-fleet serve exited early: ${err}`);
  const socket = /listening on (\S+)/.exec(err)![1]!;
  const signal = async (sig: NodeJS.Signals) => {
    if (!done) child.kill(sig);
    return exited;
  };
  return { child, pid: child.pid!, socket, stderr: () => err, exited, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

export interface Subscription {
  events: Array<{ seq: number; kind: string; [k: string]: unknown }>;
  close(): void;
}

/** Subscribe to the service's events over its socket (the documented protocol). */
export async function subscribe(socketPath: string): Promise<Subscription> {
  const version = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version as string;
  const events: Subscription['events'] = [];
  const socket = connect(socketPath);
  let buf = '';
  let greeted = false;
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`${JSON.stringify({ type: 'hello', protocol: 1, version })}\n`));
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const m = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (!greeted && m.type === 'hello') {
          greeted = true;
          socket.write(`${JSON.stringify({ type: 'subscribe' })}\n`);
          resolve();
        } else if (m.type === 'event') events.push(m.event);
      }
    });
  });
  return { events, close: () => socket.destroy() };
}

export function pidOf(path: string): number | null {
  return existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : null;
}
