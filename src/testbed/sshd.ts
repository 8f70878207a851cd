// A real OpenSSH server on loopback for one test file: generated host and client keys, a generated known_hosts
// and client config, and a random free port. Each server runs in its own UTS, PID and mount namespaces when the
// machine allows it (root + unshare), so it has its own hostname and process table and dies whole with its
// namespace: its sessions, remote tmux servers and the agents in them go with it. Without namespaces it falls
// back to a plain sshd whose sessions see a wrapper `uname`/`hostname` on PATH (see `isolation`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshHostOptions } from '../host/ssh.js';

export const SSHD = '/usr/sbin/sshd';
const LOOPBACK = '127.0.0.1';

export interface SshdOptions {
  /** The server's hostname (what `uname -n` says in its sessions). */
  hostname: string;
  /** TMUX_TMPDIR of the sessions (default: a fresh private directory): tmux sockets and lock files live there. */
  tmuxTmpdir?: string;
  /** Sessions run with a PATH that lacks these programs (e.g. ['tmux']), through a ForceCommand wrapper. */
  hideTools?: string[];
  /** Bind an empty file over ~/.bashrc inside the namespace, so remote commands do not pay for this machine's
   *  shell setup (default true; only with namespaces). */
  leanShell?: boolean;
  /** More variables for the sessions' environment (sshd SetEnv), e.g. XDG_RUNTIME_DIR. Values without spaces. */
  env?: Record<string, string>;
}

export interface TestSshd {
  port: number;
  hostname: string;
  isolation: 'namespaces' | 'wrapper';
  /** Whether remote sessions skip ~/.bashrc (see SshdOptions.leanShell). */
  leanShell: boolean;
  dir: string;
  tmuxTmpdir: string;
  clientKey: string;
  /** Client config (-F): our known_hosts, strict host key checking, no agent, no other identities. */
  sshConfig: string;
  /** SshHost options reaching this server as root, with a private control directory. */
  hostOptions(name: string, extra?: Partial<SshHostOptions>): SshHostOptions;
  /** A new private ControlMaster directory (a separate connection); closed by stop(). */
  controlDir(): string;
  /** Plain ssh argv prefix for raw checks (`ssh -O check`, …), on the default control directory. */
  sshArgv(): string[];
  log(): string;
  stop(): Promise<void>;
}

let namespaceSupport: boolean | undefined;

/** Can we make UTS+PID+mount namespaces here (root in a VM or privileged container)?
 *  MOSAIC_TEST_SSHD_ISOLATION=wrapper forces the fallback, to test it on a machine that has namespaces. */
export function namespacesAvailable(): boolean {
  if (process.env.MOSAIC_TEST_SSHD_ISOLATION === 'wrapper') return false;
  if (namespaceSupport === undefined) {
    const r = spawnSync('unshare', ['--uts', '--pid', '--fork', '--kill-child', '--mount', '--mount-proc', '--propagation', 'private', 'true'], { timeout: 10_000 });
    namespaceSupport = r.status === 0;
  }
  return namespaceSupport;
}

// Runs as PID 1 of the new namespace: when our stdin closes (teardown, or the test process dying) it exits,
// and the kernel kills everything left in the namespace.
const IN_NAMESPACE = `hostname "$1" || exit 1
if [ -n "$3" ]; then mount --bind /dev/null "$3" || exit 1; fi
"$4" -D -e -f "$2" &
cat >/dev/null`;

// Without namespaces: the sshd dies with our stdin; its established sessions are ended by closing the masters.
const PLAIN = `"$4" -D -e -f "$2" &
cat >/dev/null
kill $!`;

export async function startSshd(options: SshdOptions): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install -y openssh-server`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('the sshd test bed runs as root (it logs in as root)');
  // sshd refuses to start without its privilege separation directory (systemd would create it).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const dir = mkdtempSync(join(tmpdir(), 'mft-sshd-'));
  const tmuxTmpdir = options.tmuxTmpdir ?? mkdtempSync(join(tmpdir(), 'mft-rtmux-'));
  const isolation = namespacesAvailable() ? 'namespaces' : 'wrapper';
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(sshConfig, clientConfig(join(dir, 'known_hosts')));

  const wrapperPath = isolation === 'wrapper' ? hostnameWrappers(dir, options.hostname) : undefined;
  const forceCommand = options.hideTools?.length ? restrictedShell(dir, options.hideTools) : undefined;
  const bashrc = join(homedir(), '.bashrc');
  const lean = isolation === 'namespaces' && (options.leanShell ?? true) && existsSync(bashrc) ? bashrc : '';

  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, serverConfig({ dir, port, tmuxTmpdir, forceCommand, path: wrapperPath, env: options.env ?? {} }));
    writeFileSync(join(dir, 'known_hosts'), `[${LOOPBACK}]:${port} ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`);
    const started = await launch(isolation, options.hostname, config, lean);
    if (started.ok) return handle({ ...options, leanShell: lean !== '', dir, port, tmuxTmpdir, ownTmpdir: options.tmuxTmpdir === undefined, isolation, sshConfig, child: started.child, logOf: started.log });
    // Someone else took the port between our probe and sshd's bind: try another.
    if (!/Address already in use|Cannot bind/.test(started.log()) || attempt >= 5) throw new Error(`sshd did not start:\n${started.log()}`);
  }
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mosaic-fleet-test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

function clientConfig(knownHosts: string): string {
  return [
    'Host *',
    `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    '  LogLevel ERROR',
    '',
  ].join('\n');
}

function serverConfig(o: { dir: string; port: number; tmuxTmpdir: string; forceCommand: string | undefined; path: string | undefined; env: Record<string, string> }): string {
  return [
    `Port ${o.port}`,
    `ListenAddress ${LOOPBACK}`,
    `HostKey ${join(o.dir, 'host_key')}`,
    'PidFile none',
    `AuthorizedKeysFile ${join(o.dir, 'authorized_keys')}`,
    'StrictModes no',
    'PermitRootLogin yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    'LogLevel INFO',
    // Sessions use the test's tmux directory: remote tmux servers and lock files never touch the real /tmp ones.
    `SetEnv TMUX_TMPDIR=${o.tmuxTmpdir} XDG_STATE_HOME=${join(o.dir, 'state')}${o.path ? ` PATH=${o.path}` : ''}${Object.entries(o.env).map(([k, v]) => ` ${k}=${v}`).join('')}`,
    ...(o.forceCommand ? [`ForceCommand ${o.forceCommand}`] : []),
    '',
  ].join('\n');
}

/** Fallback hostname: `uname -n` and `hostname` wrappers first on the sessions' PATH. */
function hostnameWrappers(dir: string, hostname: string): string {
  const bin = join(dir, 'hostbin');
  mkdirSync(bin);
  const script = (real: string, flag: string) => `#!/bin/sh\ncase "$1" in ${flag}) echo '${hostname}' ;; *) exec ${real} "$@" ;; esac\n`;
  writeFileSync(join(bin, 'uname'), script('/bin/uname', '-n'), { mode: 0o755 });
  writeFileSync(join(bin, 'hostname'), script('/bin/hostname', '-s|""'), { mode: 0o755 });
  return `${bin}:/usr/local/bin:/usr/bin:/bin`;
}

const POSIX_TOOLS = ['sh', 'cat', 'flock', 'id', 'mkdir', 'uname', 'hostname', 'printf', 'wc', 'rm', 'env', 'ps', 'awk', 'kill', 'sleep', 'tmux'];

/** A ForceCommand that runs the requested command with a PATH holding only the tools we use, minus `hidden`. */
function restrictedShell(dir: string, hidden: string[]): string {
  const bin = join(dir, 'restricted-bin');
  mkdirSync(bin);
  for (const tool of POSIX_TOOLS.filter((t) => !hidden.includes(t))) {
    const real = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (real) symlinkSync(real, join(bin, tool));
  }
  const wrapper = join(dir, 'restricted-shell');
  writeFileSync(wrapper, `#!/bin/sh\nPATH='${bin}'; export PATH\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Launched {
  ok: boolean;
  child: ChildProcess;
  log(): string;
}

/** Start sshd (in its namespaces) and wait until it listens, or until it exits. */
function launch(isolation: 'namespaces' | 'wrapper', hostname: string, config: string, lean: string): Promise<Launched> {
  const argv =
    isolation === 'namespaces'
      ? ['unshare', '--uts', '--pid', '--fork', '--kill-child', '--mount', '--mount-proc', '--propagation', 'private', 'sh', '-c', IN_NAMESPACE, 'sshd-ns', hostname, config, lean, SSHD]
      : ['sh', '-c', PLAIN, 'sshd-plain', hostname, config, lean, SSHD];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
  let text = '';
  const log = () => text;
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), 15_000);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      child.stderr?.removeListener('data', onData);
      child.stderr?.on('data', (c: Buffer) => (text += c.toString('utf8')));
      if (!ok) child.stdin?.end();
      resolve({ ok, child, log });
    };
    const onData = (c: Buffer) => {
      text += c.toString('utf8');
      if (/Server listening on /.test(text)) finish(true);
    };
    child.stderr?.on('data', onData);
    child.once('close', () => finish(false));
  });
}

function handle(o: SshdOptions & { leanShell: boolean; dir: string; port: number; tmuxTmpdir: string; ownTmpdir: boolean; isolation: 'namespaces' | 'wrapper'; sshConfig: string; child: ChildProcess; logOf(): string }): TestSshd {
  const clientKey = join(o.dir, 'client_key');
  // Short paths: a control socket path must fit in 107 bytes.
  const controlRoot = mkdtempSync(join(tmpdir(), 'mft-cm-'));
  const controlDirs: string[] = [];
  const newControlDir = () => {
    const d = join(controlRoot, String(controlDirs.length));
    mkdirSync(d, { mode: 0o700 });
    controlDirs.push(d);
    return d;
  };
  const controlDir = newControlDir();
  const exited = new Promise<void>((resolve) => {
    if (o.child.exitCode !== null || o.child.signalCode !== null) resolve();
    else o.child.once('close', () => resolve());
  });
  return {
    port: o.port,
    hostname: o.hostname,
    isolation: o.isolation,
    leanShell: o.leanShell,
    dir: o.dir,
    tmuxTmpdir: o.tmuxTmpdir,
    clientKey,
    sshConfig: o.sshConfig,
    hostOptions: (name, extra = {}) => ({
      name,
      ssh: `root@${LOOPBACK}`,
      port: o.port,
      identityFile: clientKey,
      controlDir,
      connectTimeoutSec: 5,
      hostnameCacheFile: null,
      extraOptions: ['-F', o.sshConfig],
      ...extra,
    }),
    controlDir: newControlDir,
    sshArgv: () => ['ssh', '-F', o.sshConfig, '-i', clientKey, '-p', String(o.port), '-o', `ControlPath=${join(controlDir, '%C')}`],
    log: o.logOf,
    async stop() {
      // Masters first (they are our processes); then the namespace's PID 1 exits and takes everything with it.
      for (const d of controlDirs) {
        for (const socket of readdirSync(d)) {
          spawnSync('ssh', ['-F', o.sshConfig, '-o', `ControlPath=${join(d, socket)}`, '-O', 'exit', `root@${LOOPBACK}`], { timeout: 5_000, stdio: 'ignore' });
        }
      }
      killTmuxServers(o.tmuxTmpdir);
      o.child.stdin?.end();
      const killer = setTimeout(() => o.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      rmSync(o.dir, { recursive: true, force: true });
      rmSync(controlRoot, { recursive: true, force: true });
      if (o.ownTmpdir) rmSync(o.tmuxTmpdir, { recursive: true, force: true });
    },
  };
}

/** Tmux servers whose sockets live in the sessions' private TMUX_TMPDIR were started by this test bed: without a
 *  PID namespace nothing else would end them if a test died before its own cleanup. */
function killTmuxServers(tmuxTmpdir: string): void {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = join(tmuxTmpdir, `tmux-${uid}`);
  if (!existsSync(dir)) return;
  for (const socket of readdirSync(dir)) {
    spawnSync('tmux', ['-S', join(dir, socket), 'kill-server'], { timeout: 5_000, stdio: 'ignore' });
  }
}
