// The service's wire protocol: one JSON object per line over a unix socket (docs/service.md). Versioned: a client
// and a service of different versions never run a command together.

export const PROTOCOL = 1;

/** Client to service. */
export type ClientMessage =
  | { type: 'hello'; protocol: number; version: string }
  | { type: 'run'; bin: 'fleet' | 'agent'; argv: string[]; cwd: string; env: Record<string, string>; tty: { stdin: boolean; stdout: boolean; stderr: boolean } }
  | { type: 'stdin'; data: string }
  | { type: 'stdin-end' }
  | { type: 'subscribe' };

/** Service to client. */
export type ServiceMessage =
  | { type: 'hello'; protocol: number; version: string; pid: number; roster: string; socket: string }
  | { type: 'refused'; reason: 'version' | 'busy'; message: string }
  | { type: 'fallback'; reason: string }
  | { type: 'out'; data: string }
  | { type: 'err'; data: string }
  | { type: 'stdin' }
  | { type: 'event'; event: FleetEvent }
  | { type: 'exit'; code: number };

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
