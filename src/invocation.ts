// One command run inside the fleet service on behalf of a thin client: its own stdout/stderr, environment, working
// directory, stdin and exit code. Outside the service there is no invocation and everything means this process.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, CommonOptions } from './core/context.js';

export interface Invocation {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Aborted when the client goes away (Ctrl-C on the other end): long-running commands stop. */
  readonly signal: AbortSignal;
  exitCode: number | undefined;
  /** The service's context for this command's options (shares its tmux connection, ledger and queues). */
  context(opts: CommonOptions): Promise<Context>;
  /** The service's events as they happen (`log --follow`); returns the unsubscribe. */
  subscribe?(listener: (event: { kind: string; [k: string]: unknown }) => void): () => void;
  /** Message lifecycle events of this command's deliveries (queued, pasted, verdict), for the service's subscribers. */
  onDeliveryEvent?(event: { kind: string; atMs: number; [k: string]: unknown }): void;
}

const scope = new AsyncLocalStorage<Invocation>();

export function currentInvocation(): Invocation | undefined {
  return scope.getStore();
}

export function withInvocation<T>(invocation: Invocation, fn: () => Promise<T>): Promise<T> {
  return scope.run(invocation, fn);
}

/** A warning for whoever runs the command (the client's stderr inside the service). */
export function warn(text: string): void {
  const line = text.endsWith('\n') ? text : `${text}\n`;
  const inv = currentInvocation();
  if (inv) inv.err(line);
  else process.stderr.write(line);
}

/** The working directory relative paths on the command line mean. */
export function commandCwd(): string {
  return currentInvocation()?.cwd ?? process.cwd();
}
