// The client's side of another host's fleet service: one streamed ssh command runs a fixed relay there that joins our
// stdin and stdout to that service's well-known socket (paths.ts, tmuxAliasPath). Deliveries, status, tail, reset and
// recovery go this way. No service there (or no node, or another version): nothing was asked, and the caller goes to
// tmux over ssh as it always did. Once a deliver request is out, the answer is the service's verdict or an honest
// SERVICE_LOST, never a second paste.
import { FleetError, type ErrorCode } from '../errors.js';
import type { Host } from '../host/types.js';
import { warn } from '../invocation.js';
import { packageVersion } from '../paths.js';
import type { SocketSpec } from '../tmux/client.js';
import { encode, lineReader, PROTOCOL, type CallAsk, type CallRequest, type ClientMessage, type DeliverRequest, type DeliverVerdict, type ServiceMessage } from './protocol.cjs';

/** The relay's exit code when no service listens there (no node, no socket, nobody answering): fall back. */
export const RELAY_NO_SERVICE = 75;

/**
 * Runs as `node -e RELAY_SCRIPT <name|path> <value>` on the remote host; the socket arrives only as argv. It finds the
 * service's alias for that tmux socket in its own environment (as tmuxSocketFile and tmuxAliasPath do), then copies
 * bytes both ways. Our end closing ends the connection; the service closing it ends the relay.
 */
export const RELAY_SCRIPT = `const net=require('net'),os=require('os'),p=require('path'),fs=require('fs'),crypto=require('crypto');
const [kind,value]=process.argv.slice(1),e=process.env,uid=process.getuid();
let file;
if(kind==='path')file=p.resolve(value);else{let d=p.join(e.TMUX_TMPDIR||'/tmp','tmux-'+uid);try{d=fs.realpathSync(d)}catch{}file=p.join(d,value||'default')}
const dir=e.XDG_RUNTIME_DIR?p.join(e.XDG_RUNTIME_DIR,'mosaic-fleet'):p.join(os.tmpdir(),'mosaic-fleet-'+uid);
const alias=p.join(dir,'tmux-'+crypto.createHash('sha256').update(file).digest('hex').slice(0,16)+'.sock');
const s=net.connect(alias);let up=false;
s.on('connect',()=>{up=true;process.stdin.pipe(s);s.pipe(process.stdout,{end:false})});
s.on('error',()=>{if(!up)process.exit(${RELAY_NO_SERVICE})});
s.on('close',()=>{if(!up)process.exit(${RELAY_NO_SERVICE});process.stdout.write('',()=>process.exit(0))});
process.stdin.on('error',()=>{});`;

/** POSIX sh before node: no alias at all in the service directory (serviceDir, as node's os.tmpdir() finds it) or no
 *  node means no service, answered without starting node (the common case costs one round trip on the connection). */
const RELAY_GUARD = `d=\${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/mosaic-fleet}; d=\${d:-\${TMPDIR:-\${TMP:-\${TEMP:-/tmp}}}/mosaic-fleet-$(id -u)}
for a in "$d"/tmux-*.sock; do [ -e "$a" ] && command -v node >/dev/null 2>&1 && exec node -e "$1" "$2" "$3"; done
exit ${RELAY_NO_SERVICE}`;

/** The remote argv: the sh guard and the fixed relay script; the socket only as argv values. */
export function relayArgv(socket: SocketSpec): string[] {
  const [kind, value] = socket.path ? ['path', socket.path] : ['name', socket.name ?? 'default'];
  return ['sh', '-c', RELAY_GUARD, 'mosaic-relay', RELAY_SCRIPT, kind, value];
}

const HELLO_TIMEOUT_MS = 10_000;
// A host found without a service is not asked again for this long (a broadcast pays one look, not one per agent).
const NO_SERVICE_TTL_MS = 5_000;
const noServiceUntil = new Map<string, number>();
const warned = new Set<string>();

export interface RemoteHooks {
  onEvent?: (event: { kind: string; atMs: number; [k: string]: unknown }) => void;
  onOrphan?: (id: string, status: DeliverVerdict['status'], detail?: string) => void;
  /** Right before the request is written: from then on the text may be pasted there. */
  beforePaste?: () => void;
}

/** The verdict of `host`'s service, or null when none took the request (deliver directly, nothing was sent). */
export async function deliverViaService(host: Host, socket: SocketSpec, request: Omit<DeliverRequest, 'type'>, hooks: RemoteHooks = {}): Promise<(DeliverVerdict & { pid: number }) | null> {
  return converse<DeliverVerdict & { pid: number }>(host, socket, { type: 'deliver', ...request }, {
    // From the moment the request is out the message is the service's to deliver: no direct paste for it any more.
    beforeRequest: () => hooks.beforePaste?.(),
    onMessage: (m) => {
      if (m.type === 'step') hooks.onEvent?.(m.event);
      else if (m.type === 'orphan') hooks.onOrphan?.(m.id, m.status, m.detail);
      else if (m.type === 'result') return { ...m.result, pid: m.pid };
      return undefined;
    },
    lost: (pid) =>
      new FleetError('SERVICE_LOST', `the connection to the fleet service on host ${host.name}${pid ? ` (pid ${pid})` : ''} ended while it delivered to ${request.target.session}; whether the message landed is unknown here`, {
        hint: 'the message stays recorded here: `mosaic-fleet deliver` looks at the pane and finishes it without pasting it twice; see `mosaic-agent log`',
      }),
  });
}

/** What `host`'s service answers to a call (overview, tail, inspect, reset, recover), or null when no service took it:
 *  ask tmux there directly. A look that loses its connection is asked again directly; a reset or a recovery, which
 *  may have pressed keys, ends as SERVICE_LOST. */
export async function callViaService(host: Host, socket: SocketSpec, request: CallAsk): Promise<{ value: unknown; pid: number } | null> {
  const looksOnly = request.op === 'overview' || request.op === 'tail' || request.op === 'inspect';
  return converse<{ value: unknown; pid: number }>(host, socket, { type: 'call', ...request } as CallRequest, {
    onMessage: (m) => (m.type === 'value' ? { value: m.value, pid: m.pid } : undefined),
    lost: (pid) =>
      looksOnly
        ? null
        : new FleetError('SERVICE_LOST', `the connection to the fleet service on host ${host.name}${pid ? ` (pid ${pid})` : ''} ended during ${request.op}; whether it was done is unknown here`, {
            hint: request.op === 'reset' ? 'look at the agent (`mosaic-agent tail`) before resetting it again' : 'run `mosaic-fleet deliver` again: it looks before it pastes',
          }),
  });
}

interface Conversation<T> {
  beforeRequest?: () => void;
  /** A message after the request: a value ends the conversation with it. */
  onMessage: (m: ServiceMessage) => T | undefined;
  /** The connection ended before an answer: an error to throw, or null to go the direct way. */
  lost: (servicePid: number) => FleetError | null;
}

/** One request to `host`'s service over a relay: hello, the request, its answer. Null: no service took it. */
async function converse<T>(host: Host, socket: SocketSpec, request: ClientMessage, talk: Conversation<T>): Promise<T | null> {
  if (!host.open || host.isLocal) return null;
  const key = `${host.name}\0${socket.path ?? ''}\0${socket.name ?? ''}`;
  if ((noServiceUntil.get(key) ?? 0) > Date.now()) return null;
  let child: Awaited<ReturnType<NonNullable<Host['open']>>>;
  try {
    child = await host.open(relayArgv(socket));
  } catch {
    return null; // the host is unreachable: the direct path says so in its own words
  }
  const version = packageVersion();
  return new Promise((resolve, reject) => {
    let phase: 'hello' | 'asked' | 'done' = 'hello';
    let servicePid = 0;
    const finish = (outcome: { value: T | null } | { error: unknown }) => {
      if (phase === 'done') return;
      phase = 'done';
      clearTimeout(helloTimer);
      child.stdin.end();
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.value);
    };
    const fallBack = () => finish({ value: null });
    const helloTimer = setTimeout(() => {
      warn(`warning: the fleet service on host ${host.name} does not answer; going to tmux there directly over ssh`);
      child.kill('SIGKILL');
      fallBack();
    }, HELLO_TIMEOUT_MS);
    child.stdin.on('error', () => undefined);
    child.stderr.resume();
    child.on('error', fallBack);
    child.on('close', (code) => {
      if (phase === 'hello') {
        if (code === RELAY_NO_SERVICE) noServiceUntil.set(key, Date.now() + NO_SERVICE_TTL_MS);
        return fallBack();
      }
      if (phase === 'asked') {
        const error = talk.lost(servicePid);
        finish(error ? { error } : { value: null });
      }
    });
    child.stdout.on(
      'data',
      lineReader((raw) => {
        const m = raw as ServiceMessage;
        if (phase === 'hello') {
          clearTimeout(helloTimer);
          if (m.type === 'hello' && m.protocol === PROTOCOL && m.version === version) {
            servicePid = m.pid;
            phase = 'asked';
            talk.beforeRequest?.();
            child.stdin.write(encode(request));
            return;
          }
          if (!warned.has(host.name)) {
            warned.add(host.name);
            const why = m.type === 'refused' ? m.message : m.type === 'hello' ? `the fleet service (pid ${m.pid}) runs mosaic-fleet ${m.version} (protocol ${m.protocol}), this is ${version} (protocol ${PROTOCOL})` : 'it gave an unexpected answer';
            warn(`warning: on host ${host.name}, ${why}; going to tmux there directly over ssh (restart the service there to use it)`);
          }
          return fallBack();
        }
        if (phase !== 'asked') return;
        if (m.type === 'error') return finish({ error: remoteError(m.error, host.name) });
        const value = talk.onMessage(m);
        if (value !== undefined) finish({ value });
      }),
    );
    child.stdin.write(encode({ type: 'hello', protocol: PROTOCOL, version }));
  });
}

/** The service's error as ours: same code, message and hint (an unknown code stays a transport failure). */
function remoteError(error: { code: string; message: string; hint?: string }, hostName: string): FleetError {
  const typed = new FleetError(error.code as ErrorCode, error.message, error.hint ? { hint: error.hint } : {});
  if (typed.exitCode !== undefined) return typed;
  return new FleetError('TMUX_FAILED', `the fleet service on host ${hostName}: ${error.message}`, error.hint ? { hint: error.hint } : {});
}
