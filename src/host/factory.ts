// Which Host object serves a roster host name: this machine, or an ssh host from roster.hosts.
import { UsageError } from '../errors.js';
import { didYouMean } from '../roster/names.js';
import { LOCAL_HOST } from '../roster/constants.js';
import type { HostSpec } from '../roster/schema.js';
import { LocalHost } from './local.js';
import { SshHost, type SshHostOptions } from './ssh.js';
import type { Host } from './types.js';

/** Options every ssh host made here shares (tests pass their own ssh config and control directory). */
export type SshDefaults = Omit<SshHostOptions, 'name' | 'ssh' | 'port' | 'identityFile' | 'hostnameOverride'>;

const SSH_DEFAULT_PORT = 22;

/** The Host for a roster host name: LocalHost for 'local' (or none), else an SshHost from roster.hosts[name]. */
export function hostFor(name: string | undefined, roster: { hosts: Record<string, HostSpec> }, defaults: SshDefaults = {}): Host {
  if (name === undefined || name === LOCAL_HOST) return new LocalHost();
  const spec = Object.hasOwn(roster.hosts, name) ? roster.hosts[name] : undefined;
  if (!spec) {
    const known = Object.keys(roster.hosts);
    const suggestion = didYouMean(name, [LOCAL_HOST, ...known]);
    throw new UsageError(
      `unknown host '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
      known.length === 0 ? 'define it under hosts: in the roster' : `use '${LOCAL_HOST}' or one of ${known.join(', ')}`,
    );
  }
  return sshHostFromSpec(name, spec, defaults);
}

export function sshHostFromSpec(name: string, spec: HostSpec, defaults: SshDefaults = {}): SshHost {
  return new SshHost({
    ...defaults,
    name,
    ssh: spec.ssh,
    // The schema defaults port to 22; passing -p 22 would override a Port from ~/.ssh/config, so 22 is left out.
    ...(spec.port !== undefined && spec.port !== SSH_DEFAULT_PORT ? { port: spec.port } : {}),
    ...(spec.identity_file !== undefined ? { identityFile: spec.identity_file } : {}),
    ...(spec.hostname !== undefined ? { hostnameOverride: spec.hostname } : {}),
  });
}

export interface AdHocSshOptions extends SshDefaults {
  port?: number;
  identityFile?: string;
  hostname?: string;
  /** Display name; default the destination itself. */
  name?: string;
}

/** For `mosaic-agent send --ssh user@host[:port]` (or ssh://user@host:port) without a roster entry. */
export function adHocSshHost(sshTarget: string, options: AdHocSshOptions = {}): SshHost {
  const { destination, port } = parseSshTarget(sshTarget);
  const { hostname, name, port: explicitPort, identityFile, ...defaults } = options;
  const chosenPort = explicitPort ?? port;
  return new SshHost({
    ...defaults,
    name: name ?? destination,
    ssh: destination,
    ...(chosenPort !== undefined ? { port: chosenPort } : {}),
    ...(identityFile !== undefined ? { identityFile } : {}),
    ...(hostname !== undefined ? { hostnameOverride: hostname } : {}),
  });
}

/** Split `user@host:port` / `ssh://user@host:port` / `user@[v6addr]:port` into destination and port. */
export function parseSshTarget(target: string): { destination: string; port?: number } {
  const text = target.startsWith('ssh://') ? target.slice('ssh://'.length).replace(/\/$/, '') : target;
  const bracketed = /^([^@\s]*@)?\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return checkTarget(target, `${bracketed[1] ?? ''}${bracketed[2]}`, bracketed[3]);
  const plain = /^([^:]*)(?::(\d+))?$/.exec(text);
  if (plain) return checkTarget(target, plain[1] ?? '', plain[2]);
  return checkTarget(target, text, undefined); // a bare IPv6 address: its colons are not a port
}

function checkTarget(target: string, destination: string, portText: string | undefined): { destination: string; port?: number } {
  if (destination === '' || destination.startsWith('-') || /\s/.test(destination)) {
    throw new UsageError(`--ssh '${target}' is not an ssh destination`, 'write it as user@host, user@host:port or ssh://user@host:port');
  }
  if (portText === undefined) return { destination };
  const port = Number(portText);
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`--ssh '${target}': port ${portText} is out of range`);
  return { destination, port };
}
