import { existsSync, statSync } from 'node:fs';
import { LocalHost } from '../host/local.js';
import { createTransport } from '../transport/factory.js';
import type { Transport } from '../transport/types.js';
import { loadRosterValidator, readCachedRoster, validateRosterFile } from '../roster/read.js';
import { resolveRosterPath } from '../roster/paths.js';
import type { Roster } from '../roster/schema.js';
import { adHocSshHost, hostFor } from '../host/factory.js';
import type { Host } from '../host/types.js';

/** Options every command accepts (socket and roster selection). */
export interface CommonOptions {
  socket?: string;
  socketPath?: string;
  roster?: string;
}

export const DEFAULT_HOLDER = '_holder';
export const DEFAULT_SOCKET = 'mosaic-factory';

/** Which tmux server: a named socket, a socket path, or (neither) the user's default server. */
export interface SocketSpec {
  name?: string;
  path?: string;
}

/** What contexts of one long-lived process share: the fleet service gives every command it runs the same
 *  transports (one tmux connection, fair pane queues) and the same ledger reader. */
export interface SharedState {
  readonly transports: Map<string, Transport>;
  /** Wraps the host every new transport runs on (the service's control connection and pane queues). */
  readonly wrapHost?: (host: Host) => Host;
}

/** What a command needs from its surroundings: environment, roster, socket, and a transport per host. */
export class Context {
  private rosterCache: Roster | null | undefined;
  readonly localHost = new LocalHost('local');

  constructor(
    readonly options: CommonOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
    readonly shared: SharedState = { transports: new Map() },
  ) {}

  /** The host a transport runs on, as this process reaches it. */
  private reach(host: Host): Host {
    return this.shared.wrapHost ? this.shared.wrapHost(host) : host;
  }

  rosterPath(): string {
    return resolveRosterPath({ flag: this.options.roster, env: this.env });
  }

  /** Make roster() answerable: take the roster from the cache when it vouches for the file, else load the validator
   *  (yaml + zod) so roster() can check it in full. Every Context is prepared once before use. */
  async prepare(): Promise<this> {
    const path = this.rosterPath();
    if (existsSync(path)) {
      try {
        const cached = readCachedRoster(path, this.env);
        if (cached) {
          this.rosterCache = cached;
          return this;
        }
      } catch {
        // unreadable: roster() reports it
      }
    }
    await loadRosterValidator();
    return this;
  }

  /** Look at the roster file again when it changed on disk since it was read (a long-lived process, the fleet
   *  service, sees edits). True when a new roster was loaded; an invalid edit throws and keeps the old one. */
  async reloadRoster(): Promise<boolean> {
    const stamp = rosterStamp(this.rosterPath());
    // The first look only notes the file as it was read.
    if (this.rosterCache !== undefined && this.rosterStampSeen === null) this.rosterStampSeen = stamp;
    if (this.rosterCache !== undefined && stamp === this.rosterStampSeen) return false;
    const seen = this.rosterCache !== undefined;
    const previous = this.rosterCache;
    this.rosterCache = undefined;
    try {
      await this.prepare();
      this.roster(false);
      this.rosterStampSeen = stamp;
      return seen;
    } catch (error) {
      this.rosterCache = previous;
      this.rosterStampSeen = stamp;
      throw error;
    }
  }

  private rosterStampSeen: string | null = null;

  /** Take `from`'s roster when it was read from this same file as the file is now (the fleet service's, re-read when it
   *  changes): a command the service runs then skips reading and checking the roster. False: prepare() as usual. */
  adoptRoster(from: Context): boolean {
    if (from.rosterCache == null || from.rosterStampSeen === null || from.rosterPath() !== this.rosterPath()) return false;
    if (rosterStamp(this.rosterPath()) !== from.rosterStampSeen) return false;
    this.rosterCache = from.rosterCache;
    return true;
  }

  /** The roster, or null when none exists and `required` is false. An invalid roster always throws. */
  roster(required: true): Roster;
  roster(required: false): Roster | null;
  roster(required: boolean): Roster | null {
    if (this.rosterCache !== undefined && (this.rosterCache !== null || !required)) return this.rosterCache;
    const path = this.rosterPath();
    if (!required && !existsSync(path)) {
      this.rosterCache = null;
      return null;
    }
    // prepare() already asked the cache: whatever is left needs the full validation.
    this.rosterCache = validateRosterFile(path, this.env);
    return this.rosterCache;
  }

  /** -S path, then -L name, then MOSAIC_TMUX_SOCKET, then the roster's socket, then mosaic-factory. */
  socket(): SocketSpec {
    if (this.options.socketPath) return { path: this.options.socketPath };
    if (this.options.socket) return { name: this.options.socket };
    if (this.env.MOSAIC_TMUX_SOCKET) return { name: this.env.MOSAIC_TMUX_SOCKET };
    const roster = this.roster(false);
    return { name: roster?.tmux?.socket_name ?? DEFAULT_SOCKET };
  }

  holderSession(): string {
    return this.roster(false)?.tmux?.holder_session ?? DEFAULT_HOLDER;
  }

  /** The transport for a roster host ('local' for this machine); one per host per process, so ssh connections are reused. */
  transport(host = 'local'): Transport {
    const cached = this.shared.transports.get(host);
    if (cached) return cached;
    const roster = this.options.socket || this.options.socketPath || this.env.MOSAIC_TMUX_SOCKET ? null : this.roster(false);
    const kind = roster?.transport ?? 'tmux';
    let transport: Transport;
    if (host === 'local') {
      transport = createTransport({ kind, host: this.reach(this.localHost), socket: this.socket(), holderSession: this.holderSession(), env: this.env });
    } else {
      const full = this.roster(true);
      const spec = full.hosts[host];
      // A remote host keeps the fleet's socket name unless its entry names another; -L on the command line wins.
      const socket = this.options.socket ? { name: this.options.socket } : { name: spec?.socket_name ?? this.socket().name ?? DEFAULT_SOCKET };
      transport = createTransport({ kind: full.transport, host: this.reach(hostFor(host, full, this.sshDefaults())), socket, holderSession: this.holderSession(), env: this.env });
    }
    this.shared.transports.set(host, transport);
    return transport;
  }

  /** A server named on the command line that the fleet does not own (capture reads it, nothing else). */
  foreignTransport(socket: SocketSpec): Transport {
    return createTransport({ kind: 'tmux', host: this.localHost, socket, holderSession: this.holderSession(), ownServer: false });
  }

  /** An ssh host named on the command line (`send --ssh user@host`), no roster entry needed. */
  adHocTransport(sshTarget: string, socketName?: string): Transport {
    const key = `ssh:${sshTarget}:${socketName ?? ''}`;
    const cached = this.shared.transports.get(key);
    if (cached) return cached;
    const transport = createTransport({
      kind: 'tmux',
      host: this.reach(adHocSshHost(sshTarget, this.sshDefaults())),
      socket: { name: socketName ?? this.options.socket ?? this.env.MOSAIC_TMUX_SOCKET ?? DEFAULT_SOCKET },
      holderSession: DEFAULT_HOLDER,
      env: this.env,
    });
    this.shared.transports.set(key, transport);
    return transport;
  }

  /** $MOSAIC_SSH_CONFIG names an ssh config file (-F) for fleet connections, e.g. separate keys and known_hosts. */
  private sshDefaults(): { extraOptions?: string[] } {
    return this.env.MOSAIC_SSH_CONFIG ? { extraOptions: ['-F', this.env.MOSAIC_SSH_CONFIG] } : {};
  }

  /** Roster hosts that have agents, local first. */
  agentHosts(): string[] {
    const roster = this.roster(false);
    const hosts = new Set<string>(['local']);
    for (const a of roster?.agents ?? []) hosts.add(a.host ?? 'local');
    return [...hosts];
  }
}

/** Size and modification time: enough to notice an edit. */
function rosterStamp(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}
