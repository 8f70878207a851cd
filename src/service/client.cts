// The thin client: a command the fleet service can answer goes to it over its unix socket; anything else, or no
// service, or a service of another version, runs directly in this process (same verdicts and exit codes).
// CommonJS with node builtins only: a client that talks to the service never starts Node's ESM loader nor pays for
// commander, zod or yaml.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { resolveRosterPath } from '../roster/locate.cjs';
import { serviceSocketPath } from './paths.cjs';
import { encode, lineReader, PROTOCOL, type ClientMessage, type ServiceMessage } from './protocol.cjs';

/** The commands the service runs; the rest (start, stop, attach, top, ...) always run directly. */
export const SERVED: Record<'fleet' | 'agent', ReadonlySet<string>> = {
  agent: new Set(['send', 'status', 'reset', 'tail', 'broadcast', 'log', 'inbox', 'reply', 'roster']),
  fleet: new Set(['status']),
};
const HELLO_TIMEOUT_MS = 3_000;

/** The exit code of the command as the service ran it, or null: run it here. */
export async function viaService(bin: 'fleet' | 'agent', args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  if (env.MOSAIC_NO_SERVICE === '1') return null;
  const command = args[0];
  if (command === undefined || !SERVED[bin].has(command)) return null;
  if (args.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version')) return null;
  const roster = resolveRosterPath({ flag: optionValue(args, '--roster'), env });
  const path = serviceSocketPath(roster, env);
  if (!existsSync(path)) return null;
  return exchange(path, roster, bin, args, env);
}

/** dist/service/client.cjs sits two levels below the package root (src/paths.ts would cost the client a module). */
function ownVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function exchange(path: string, roster: string, bin: 'fleet' | 'agent', args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  const version = ownVersion();
  return new Promise((resolve) => {
    const socket = connect(path);
    let phase: 'hello' | 'running' | 'done' = 'hello';
    const finish = (code: number | null) => {
      if (phase === 'done') return;
      phase = 'done';
      clearTimeout(helloTimer);
      socket.destroy();
      resolve(code);
    };
    const send = (message: ClientMessage) => socket.write(encode(message));
    const helloTimer = setTimeout(() => {
      process.stderr.write(`warning: the fleet service at ${path} does not answer; running this command directly\n`);
      finish(null);
    }, HELLO_TIMEOUT_MS);
    // A stale socket file (service gone): ECONNREFUSED or ENOENT before the hello, so the direct path is safe.
    socket.on('error', () => {
      if (phase === 'hello') finish(null);
    });
    socket.on('close', () => {
      if (phase === 'hello') finish(null);
      else if (phase === 'running') void lost(bin, args).then(finish);
    });
    const run = { bin, argv: args, cwd: process.cwd(), env: stringEnv(env), tty: terminals() };
    // Written now, sent the moment the socket connects (no event-loop turn spent waiting for 'connect').
    send({ type: 'hello', protocol: PROTOCOL, version, run });
    socket.on(
      'data',
      lineReader((raw) => {
        const m = raw as ServiceMessage;
        if (phase === 'hello') {
          clearTimeout(helloTimer);
          // Another roster's service behind a colliding socket name is not ours: run here, silently.
          if (m.type === 'hello' && m.roster !== roster) return finish(null);
          if (m.type === 'hello' && m.protocol === PROTOCOL && m.version === version) {
            phase = 'running';
            // A service that predates the run riding with the hello waits for it.
            if (!m.running) send({ type: 'run', ...run });
            return;
          }
          const why = m.type === 'refused' ? m.message : m.type === 'hello' ? `the fleet service (pid ${m.pid}) runs mosaic-fleet ${m.version}, this is ${version}` : 'unexpected answer';
          process.stderr.write(`warning: ${why}; running this command directly (restart the service to use it: systemctl --user restart mosaic-serve, or rerun \`mosaic-fleet serve\`)\n`);
          finish(null);
          return;
        }
        switch (m.type) {
          case 'out':
            process.stdout.write(m.data);
            break;
          case 'err':
            process.stderr.write(m.data);
            break;
          case 'stdin':
            pipeStdin(send);
            break;
          case 'fallback':
            finish(null);
            break;
          case 'exit':
            finish(m.code);
            break;
          default:
            break;
        }
      }),
    );
  });
}

/** Which of our streams are terminals, without touching process.stdin: creating it costs a client 4 ms. */
function terminals(): { stdin: boolean; stdout: boolean; stderr: boolean } {
  return { stdin: isatty(0), stdout: isatty(1), stderr: isatty(2) };
}

/** The service asked for the body on stdin (send without -m/-f): stream it over. */
function pipeStdin(send: (m: ClientMessage) => void): void {
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (data: string) => send({ type: 'stdin', data }));
  process.stdin.on('end', () => send({ type: 'stdin-end' }));
}

/** The service died while running the command: what it did is in the ledger; say so, once, the usual way. */
async function lost(bin: string, args: string[]): Promise<number> {
  const { reportError } = await import('../cli/io.js');
  const { FleetError } = await import('../errors.js');
  const error = new FleetError('SERVICE_LOST', `the fleet service stopped while running \`${bin === 'agent' ? 'mosaic-agent' : 'mosaic-fleet'} ${args[0]}\`; its outcome is unknown here`, {
    hint: 'a message it had recorded is finished by the restarted service or `mosaic-fleet deliver`, never pasted twice; see `mosaic-agent log`',
  });
  return reportError(error, { out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`) }, args.includes('--json'));
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** `--name value` or `--name=value` before a `--`. */
function optionValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--') break;
    if (a === name) return args[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}
