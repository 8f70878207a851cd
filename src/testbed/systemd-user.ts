// A real systemd user manager for one test: `/lib/systemd/systemd --user` in a private mount namespace (a tmpfs
// on /run/systemd with /run/systemd/system in it, so the manager and systemctl see a systemd-booted machine while
// the host's /run/systemd stays untouched), a private XDG_RUNTIME_DIR (0700) and HOME, and its own cgroup.
//
// Why its own cgroup: a user manager takes the cgroup it starts in as its root and moves every process in that
// cgroup into init.scope. Started in the machine's root cgroup it would gather every process on the machine; in a
// fresh child cgroup it only holds itself. Its units' cgroups (app.slice/<unit>) live under that child.
//
// Why a pty: a user manager writes its log to /dev/console only when that is a terminal. `script` gives it one,
// bound over /dev/console inside the namespace, and copies everything written there into `logFile` — the manager's
// own lines and, through a drop-in that sets StandardOutput/StandardError=tty for every service, what the units
// print (the stand-in for `journalctl --user`, which needs a journald the test does not run).
//
// Needs root (unshare --mount, writable cgroupfs) and util-linux (unshare, nsenter, script).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../exec/run.js';

export const SYSTEMD = '/lib/systemd/systemd';
const CGROUP_ROOT = '/sys/fs/cgroup';
const MANAGER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface UserManagerOptions {
  /** The user's HOME (units are read from $HOME/.config/systemd/user); default a fresh temp directory. */
  home?: string;
  /** Extra variables in the manager's own environment (units inherit it, as from a real login's PAM). */
  env?: Record<string, string>;
}

export interface TestUserManager {
  /** The manager's pid (its mount namespace is entered through it). */
  pid: number;
  home: string;
  runtimeDir: string;
  /** $HOME/.config/systemd/user: where install-systemd writes by default and the manager reads. */
  unitDir: string;
  /** The cgroup the manager runs in (relative to a hierarchy root); its units are below it. */
  cgroup: string;
  /** What a process needs to reach this manager with `systemctl --user`: HOME, XDG_RUNTIME_DIR, USER. */
  env: Record<string, string>;
  /** argv that runs `argv` inside the manager's mount namespace (where /run/systemd/system exists). */
  inside(argv: string[]): string[];
  /** `systemctl --user <args>` inside the namespace, against this manager. */
  systemctl(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** One property of a unit (`systemctl --user show -p <name> --value`). */
  property(unit: string, name: string): Promise<string>;
  /** Pids in a unit's cgroup (the ControlGroup= path), [] when the cgroup is gone. */
  cgroupPids(controlGroup: string): number[];
  /** Everything the manager (and its units) logged so far. */
  log(): string;
  /** The log plus every fleet unit's status: what a failing test prints. */
  report(): Promise<string>;
  stop(): Promise<void>;
}

// Runs under `script` (so stdin is a pty) and, through `unshare`, in a private mount namespace.
// $1: cgroup name; $2: pid file; then the manager's arguments.
const START = `set -e
name="$1"; pidfile="$2"; shift 2
moved=0
for h in ${CGROUP_ROOT}/*/ ${CGROUP_ROOT}/; do
  [ -f "$h/cgroup.procs" ] || continue
  case "$h" in */systemd/) key=name=systemd ;; */unified/|${CGROUP_ROOT}/) key= ;; *) key=$(basename "$h") ;; esac
  own=$(awk -F: -v k="$key" '$2 == k || (k != "" && index(","$2",", ","k",")) { print $3; exit }' /proc/self/cgroup)
  [ -n "$own" ] || [ "$key" = "" ] || continue
  dir="\${h%/}\${own%/}/$name"
  if mkdir -p "$dir" 2>/dev/null && echo $$ > "$dir/cgroup.procs" 2>/dev/null; then
    case "$key" in name=systemd|"") moved=1 ;; esac
  else
    rmdir "$dir" 2>/dev/null || true
    # Never start a manager in a shared cgroup: it would move every process there into its init.scope.
    case "$key" in name=systemd|"") echo "test user manager: cannot move into a cgroup of its own ($dir)" >&2; exit 1 ;; esac
  fi
done
[ "$moved" = 1 ] || { echo "test user manager: no systemd cgroup hierarchy under ${CGROUP_ROOT}" >&2; exit 1; }
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
mkdir /run/systemd/system
mount --bind "$(tty)" /dev/console
# Units print to that terminal too (no journald here): a drop-in for every service, in the namespace's /run only.
mkdir -p /run/systemd/user/service.d
printf '[Service]\nStandardOutput=tty\nStandardError=tty\n' > /run/systemd/user/service.d/50-mosaic-testbed.conf
echo $$ > "$pidfile"
exec ${SYSTEMD} --user "$@"`;

// Reads our stdin until the test bed closes it (or the test process dies), then ends the manager and
// everything left in its cgroup, and removes that cgroup. $1: cgroup name; $2: pid file.
const TEARDOWN = `cat >/dev/null
pid=$(cat "$2" 2>/dev/null || true)
if [ -n "$pid" ]; then
  kill -TERM "$pid" 2>/dev/null || true
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
fi
dirs=$(find ${CGROUP_ROOT} -type d -name "$1" 2>/dev/null)
for round in 1 2 3 4 5 6 7 8 9 10; do
  left=$(for d in $dirs; do find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null; done)
  [ -z "$left" ] && break
  kill -KILL $left 2>/dev/null || true
  sleep 0.1
done
for d in $dirs; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; done`;

export async function startUserManager(options: UserManagerOptions = {}): Promise<TestUserManager> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('the user manager test bed runs as root (unshare --mount, cgroupfs)');
  for (const tool of [SYSTEMD, '/usr/bin/script', '/usr/bin/unshare', '/usr/bin/nsenter']) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install -y systemd util-linux bsdutils`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'mft-sdu-'));
  const home = options.home ?? join(dir, 'home');
  const runtimeDir = join(dir, 'runtime');
  mkdirSync(home, { recursive: true });
  mkdirSync(runtimeDir, { mode: 0o700 });
  const name = `mft-sdu-${randomBytes(4).toString('hex')}`;
  const pidFile = join(dir, 'manager.pid');
  const logFile = join(dir, 'manager.log');
  writeFileSync(join(dir, 'start.sh'), START);
  writeFileSync(join(dir, 'teardown.sh'), TEARDOWN);

  const user = process.env.USER || 'root';
  const env: Record<string, string> = { HOME: home, XDG_RUNTIME_DIR: runtimeDir, USER: user, LOGNAME: user };
  // The manager's environment is what a login would give it, not this test process's.
  const managerEnv = { ...env, PATH: MANAGER_PATH, LANG: 'C.UTF-8', ...options.env };
  const managerArgs = ['--log-target=console', '--log-level=info', '--log-color=no'];
  // `script -c` runs a shell command line: every word of it is ours (fixed paths under our temp dir), quoted.
  const command = ['exec', 'unshare', '--mount', '--propagation', 'private', '/bin/sh', join(dir, 'start.sh'), name, pidFile, ...managerArgs].map(shellWord).join(' ');
  const teardown = spawn('/bin/sh', [join(dir, 'teardown.sh'), name, pidFile], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  const script = spawn('/usr/bin/script', ['-q', '-f', '-e', '-c', command, logFile], { env: { ...managerEnv, SHELL: '/bin/sh' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let scriptErr = '';
  script.stderr.on('data', (c: Buffer) => (scriptErr += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => script.on('close', () => resolve()));
  let stopped = false;

  const inside = (argv: string[]) => ['nsenter', '-t', String(readPid()), '-m', '--', ...argv];
  const systemctl = (args: string[], timeoutMs = 30_000) =>
    run(inside(['systemctl', '--user', ...args]), { env: { ...cleanEnv(), ...env }, timeoutMs });
  const log = () => (existsSync(logFile) ? stripTerminal(readFileSync(logFile, 'utf8')) : '');
  function readPid(): number {
    const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : NaN);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`the test user manager has not started:\n${log()}${scriptErr}`);
    return pid;
  }
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await new Promise<void>((resolve) => {
      teardown.on('close', () => resolve());
      teardown.stdin?.end();
    });
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForManager(() => existsSync(pidFile) && existsSync(join(runtimeDir, 'systemd', 'private')), script, () => `${log()}${scriptErr}`);
    // `is-system-running --wait` returns once the manager finished starting its default target.
    const ready = await systemctl(['is-system-running', '--wait'], 30_000);
    if (!/^(running|degraded)$/mu.test(ready.stdout.trim())) throw new Error(`the test user manager did not come up (${ready.stdout.trim()} ${ready.stderr.trim()}):\n${log()}`);
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = readPid();
  const cgroup = ownCgroup(pid).replace(/\/init\.scope$/u, '');

  return {
    pid,
    home,
    runtimeDir,
    unitDir: join(home, '.config', 'systemd', 'user'),
    cgroup,
    env,
    inside,
    systemctl,
    async property(unit, property) {
      const r = await systemctl(['show', '-p', property, '--value', unit]);
      return r.stdout.trim();
    },
    cgroupPids: (controlGroup) => cgroupPids(controlGroup),
    log,
    async report() {
      const status = await systemctl(['status', '--all', '--no-pager', '--lines=0', 'mosaic-*']);
      return `--- systemctl --user status mosaic-* ---\n${status.stdout}${status.stderr}\n--- user manager log ---\n${log()}`;
    },
    stop,
  };
}

async function waitForManager(ready: () => boolean, script: ChildProcess, detail: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ready()) {
    if (script.exitCode !== null || Date.now() > deadline) throw new Error(`the test user manager did not start:\n${detail()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The systemd hierarchy's cgroup of `pid` (the unified line, else name=systemd). */
function ownCgroup(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const line = lines.find((l) => l.includes(':name=systemd:')) ?? lines.find((l) => l.startsWith('0::'));
  return line?.replace(/^[^:]*:[^:]*:/u, '') ?? '/';
}

// The hierarchy where the manager's cgroups are: name=systemd (hybrid/legacy), else the unified one.
function cgroupPids(controlGroup: string): number[] {
  for (const root of [join(CGROUP_ROOT, 'systemd'), join(CGROUP_ROOT, 'unified'), CGROUP_ROOT]) {
    if (!existsSync(join(root, 'cgroup.procs'))) continue;
    const dir = join(root, controlGroup);
    if (!existsSync(dir)) return [];
    return procsBelow(dir);
  }
  return [];
}

function procsBelow(dir: string): number[] {
  const own = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [...own, ...children.flatMap((c) => procsBelow(join(dir, c.name)))];
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DBUS_SESSION_BUS_ADDRESS; // systemctl --user must use $XDG_RUNTIME_DIR/systemd/private, never a real session
  return env;
}

function shellWord(word: string): string {
  return /^[\w./=-]+$/u.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

// `script` records a terminal: drop carriage returns and colour codes for reading.
function stripTerminal(text: string): string {
  return text.replace(/\r/gu, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/gu, '');
}
