// The one place that knows which Transport implementation serves a roster: tmux today. A Matrix transport
// plugs in here; nothing above the Transport interface changes.
import { FleetError } from '../errors.js';
import type { Host } from '../host/types.js';
import { shippedTmuxConf } from '../paths.js';
import { TmuxTransport } from './tmux/transport.js';
import { FilePaneMemory } from '../evidence/memory.js';
import type { Transport } from './types.js';

export interface TransportSpec {
  kind: string;
  host: Host;
  /** tmux: the socket name or path; omitted for the user's default server (read-only uses only). */
  socket?: { name?: string; path?: string };
  holderSession: string;
  /** false for a server we only read (capture): never pass our config to someone else's server. */
  ownServer?: boolean;
  /** The command's environment: where what is learnt about panes is kept (XDG_STATE_HOME, HOME). */
  env?: NodeJS.ProcessEnv;
}

export function createTransport(spec: TransportSpec): Transport {
  if (spec.kind !== 'tmux') {
    throw new FleetError('TRANSPORT_UNAVAILABLE', `transport '${spec.kind}' is not available yet`, { hint: 'set `transport: tmux` in the roster' });
  }
  return new TmuxTransport({
    host: spec.host,
    socket: spec.socket ?? {},
    holderSession: spec.holderSession,
    ...(spec.ownServer === false ? {} : { configFile: shippedTmuxConf() }),
    ...(spec.env ? { memoryDir: FilePaneMemory.defaultDir(spec.env) } : {}),
    // MOSAIC_NO_SERVICE=1 ignores fleet services, this host's and the remote hosts' alike (docs/service.md).
    ...(spec.env?.MOSAIC_NO_SERVICE === '1' ? { remoteService: false } : {}),
  });
}
