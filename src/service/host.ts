// The host as the fleet service reaches it: tmux commands over its one control-mode connection (when one is up and
// the command is for that server), pane locks taken in arrival order, pane output as it is drawn.
import type { RunOptions, RunResult } from '../exec/run.js';
import type { HeldLock, Host } from '../host/types.js';
import { lockFile } from '../host/local.js';
import type { LockPool } from '../host/lock-pool.js';
import type { SocketSpec } from '../tmux/client.js';
import type { PaneQueues } from './queue.js';

/** The part of a control-mode connection the service host uses. */
export interface TmuxConnection {
  exec(argv: string[], options?: RunOptions): Promise<RunResult>;
  waitOutput(paneId: string, timeoutMs: number, since?: number): Promise<boolean>;
  outputMark(paneId: string): number;
}

export interface ServiceHostOptions {
  base: Host;
  queues: PaneQueues;
  /** The live connection to `socket`'s server, if any right now. */
  connection?: () => TmuxConnection | null;
  socket?: SocketSpec;
  onQueued?: (key: string, ahead: number) => void;
  /** Long-lived lock holders for this host's locks (local hosts only; see LockPool). */
  locks?: LockPool;
}

export class ServiceHost implements Host {
  readonly name: string;
  readonly isLocal: boolean;

  constructor(private readonly options: ServiceHostOptions) {
    this.name = options.base.name;
    this.isLocal = options.base.isLocal;
  }

  exec(argv: string[], options?: RunOptions): Promise<RunResult> {
    const connection = this.connectionFor(argv);
    return connection ? connection.exec(argv, options) : this.options.base.exec(argv, options);
  }

  /** The pane's turn first (fair, in arrival order), then the host's lock (other processes may still send directly). */
  async lock(key: string, timeoutMs: number): Promise<HeldLock> {
    const turn = await this.options.queues.enter(key);
    if (turn.ahead > 0) this.options.onQueued?.(key, turn.ahead);
    try {
      const { locks } = this.options;
      const held = locks ? await locks.lock(lockFile(key), timeoutMs, key) : await this.options.base.lock(key, timeoutMs);
      return {
        release: async () => {
          try {
            await held.release();
          } finally {
            turn.leave();
          }
        },
        ...(held.channel ? { channel: held.channel } : {}),
      };
    } catch (error) {
      turn.leave();
      throw error;
    }
  }

  shortHostname(): Promise<string> {
    return this.options.base.shortHostname();
  }

  outputMark(paneId: string): number {
    return this.options.connection?.()?.outputMark(paneId) ?? 0;
  }

  /** A remote host's streamed command (its fleet service's relay), when the host has one. */
  get open(): Host['open'] {
    const base = this.options.base;
    return base.open ? (argv) => base.open!(argv) : undefined;
  }

  async waitOutput(paneId: string, timeoutMs: number, since?: number): Promise<boolean> {
    const connection = this.options.connection?.();
    if (connection) return connection.waitOutput(paneId, timeoutMs, since);
    await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    return false;
  }

  /** The connection, when argv is a tmux command for the server it is attached to. */
  private connectionFor(argv: string[]): TmuxConnection | null {
    if (argv[0] !== 'tmux' || !this.options.socket) return null;
    const connection = this.options.connection?.() ?? null;
    if (!connection) return null;
    return sameServer(argv, this.options.socket) ? connection : null;
  }
}

/** Whether a tmux argv (as Tmux.argv builds it) names `socket`. */
export function sameServer(argv: string[], socket: SocketSpec): boolean {
  let name: string | undefined;
  let path: string | undefined;
  for (let i = 1; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a === '-L') name = argv[(i += 1)];
    else if (a === '-S') path = argv[(i += 1)];
    else if (a === '-f') i += 1;
    else if (a === '-u') continue;
    else break;
  }
  return socket.path ? path === socket.path : name === socket.name && path === undefined;
}
