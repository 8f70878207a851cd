// The service's wire protocol: one JSON object per line over a unix socket (docs/service.md). Versioned: a client
// and a service of different versions never run a command together.

import type { DeliveryStatus } from '../delivery/deliver.js';

export const PROTOCOL = 1;

/** Client to service. */
export type ClientMessage =
  /** `run` rides with the hello to save a round trip: a service of this version runs it at once and says so in its
   *  hello (`running`); one of another version refuses it unrun, and an older one ignores it (the client then sends it). */
  | { type: 'hello'; protocol: number; version: string; run?: RunRequest }
  | ({ type: 'run' } & RunRequest)
  | { type: 'stdin'; data: string }
  | { type: 'stdin-end' }
  | { type: 'subscribe' }
  | DeliverRequest
  | CallRequest;

/** A command line for the service to run as the client would (see src/service/server.ts Request). */
export interface RunRequest {
  bin: 'fleet' | 'agent';
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  tty: { stdin: boolean; stdout: boolean; stderr: boolean };
}

/** Another host's sender (over ssh, see src/service/remote.ts) hands this service a text it built and recorded in its
 *  own ledger: paste it into `target` on this service's tmux server and report the verdict. */
export interface DeliverRequest {
  type: 'deliver';
  /** The pane as the sender resolved it (exact id) and the session it belongs to (checked again here). */
  target: { pane: string; session: string };
  /** The whole text, preamble included. */
  text: string;
  /** Screen profile name (the sender's --runtime, else the pane's own). */
  profile?: string;
  options: { verifyTimeoutMs?: number; maxEnters?: number; readyTimeoutMs?: number; holdMs?: number; whenIdleMs?: number; lockTimeoutMs?: number };
  /** The sender's own earlier texts to this target that may sit unsent in its box (see SendOptions.orphansFor). */
  orphans: Array<{ id: string; text: string; /** Pasted this long ago and never drawn (an age: the hosts' clocks may differ). */ unreadMs?: number }>;
}

/** Another host's client asks this service what it would otherwise ask our tmux over ssh (src/service/remote.ts).
 *  A target is resolved here, by the same exact rules as on the sender's side. */
export type CallRequest =
  | { type: 'call'; op: 'overview'; holder: string; roster: string[] }
  | { type: 'call'; op: 'tail'; target: string; lines: number | 'all' }
  | { type: 'call'; op: 'inspect'; target: string; profile?: string }
  | { type: 'call'; op: 'reset'; target: string; command: string; options: { profile?: string; confirmTimeoutMs: number; readyTimeoutMs?: number } }
  | { type: 'call'; op: 'recover'; target: string; text: string };

/** A call as the caller writes it (the type tag is added on the wire). */
export type CallAsk = CallRequest extends infer R ? (R extends CallRequest ? Omit<R, 'type'> : never) : never;

/** The verdict of a deliver request (SendResult without what the sender already knows). */
export interface DeliverVerdict {
  status: DeliveryStatus;
  enters: number;
  latencyMs: number;
  detail?: string;
  paneId: string;
  unread?: boolean;
}

/** Service to client. */
export type ServiceMessage =
  | { type: 'hello'; protocol: number; version: string; pid: number; roster: string; socket: string; /** It runs the hello's `run`. */ running?: boolean }
  | { type: 'refused'; reason: 'version' | 'busy'; message: string }
  | { type: 'fallback'; reason: string }
  | { type: 'out'; data: string }
  | { type: 'err'; data: string }
  | { type: 'stdin' }
  | { type: 'event'; event: FleetEvent }
  | { type: 'exit'; code: number }
  // Answers to a deliver request: its steps, each orphan it finished, then one result or error.
  | { type: 'step'; event: { kind: string; atMs: number; [k: string]: unknown } }
  | { type: 'orphan'; id: string; status: DeliveryStatus; detail?: string }
  | { type: 'result'; result: DeliverVerdict; pid: number }
  // The answer to a call request (or an error).
  | { type: 'value'; value: unknown; pid: number }
  | { type: 'error'; error: { code: string; message: string; hint?: string } };

export interface FleetEvent {
  seq: number;
  at: string;
  kind: string;
  [key: string]: unknown;
}

/** Split a byte stream into lines, one JSON message each. */
export function lineReader(onMessage: (message: unknown) => void): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() === '') continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // a torn or foreign line: ignore it
      }
      onMessage(message);
    }
  };
}

export function encode(message: ClientMessage | ServiceMessage): string {
  return `${JSON.stringify(message)}\n`;
}
