// The README's first two commands work verbatim for root and for a user with sudo, and CI runs exactly them.
// apt-get, dpkg-query, sudo, id, npm and npx are stand-ins here that record how they were called: installing
// packages and switching users cannot happen in a test (CI runs the real thing as root through .ci/run).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function readmeCommands(): string[] {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'readme-commands.sh')], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

/** A copy of the scripts and README in a temp dir, with stand-in system tools on PATH. */
function box(options: { uid: number; installed: string[]; sudo: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'mft-readme-'));
  const repo = join(dir, 'repo');
  const bin = join(dir, 'bin');
  mkdirSync(repo);
  mkdirSync(bin);
  cpSync(join(ROOT, 'scripts'), join(repo, 'scripts'), { recursive: true });
  cpSync(join(ROOT, 'README.md'), join(repo, 'README.md'));
  const log = join(dir, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${log}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('id', `[ "$1" = -u ] && echo ${options.uid}`);
  stub('dpkg-query', `case " ${options.installed.join(' ')} " in *" \${@: -1} "*) printf 'install ok installed';; *) exit 1;; esac`);
  stub('apt-get', `[ "$(id -u)" = 0 ] || { echo "apt-get: not root" >&2; exit 100; }`);
  stub('npm', '');
  stub('npx', '');
  // sudo runs its command as root: the stand-in id answers 0 inside it.
  if (options.sudo) stub('sudo', `export PATH=${join(dir, 'rootbin')}:$PATH; exec "$@"`);
  mkdirSync(join(dir, 'rootbin'));
  writeFileSync(join(dir, 'rootbin', 'id'), `#!/bin/bash\necho "id(root) $*" >> ${log}\necho 0\n`);
  chmodSync(join(dir, 'rootbin', 'id'), 0o755);
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: dir };
  return {
    run(command: string) {
      return spawnSync('bash', ['-euo', 'pipefail', '-c', command], { cwd: repo, env, encoding: 'utf8' });
    },
    calls: () => {
      try {
        return readFileSync(log, 'utf8').split('\n').filter((l) => l && !l.startsWith('id') && !l.startsWith('dpkg-query'));
      } catch {
        return [];
      }
    },
  };
}

const ALL = ['tmux', 'util-linux', 'mount', 'procps', 'openssh-server', 'openssh-client', 'systemd', 'iproute2', 'ca-certificates'];

describe("the README's first commands", () => {
  it('are two lines without sudo: setup + demo, then the tests', () => {
    expect(readmeCommands()).toEqual(['bash scripts/setup.sh && npm run demo', 'npm test']);
  });

  it('CI runs them verbatim, through the same extraction', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toContain('scripts/readme-commands.sh');
    expect(ci).not.toMatch(/^npm test$/m);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.test).toBe('bash scripts/test.sh');
  });

  it('as root with tmux missing: apt-get without sudo (there is none), then npm ci and the demo', () => {
    const b = box({ uid: 0, installed: ALL.filter((p) => p !== 'tmux'), sudo: false });
    const [setup, test] = readmeCommands();
    const r = b.run(setup!);
    expect(r.status, r.stderr).toBe(0);
    expect(b.calls()).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends tmux',
      'npm ci --no-audit --no-fund',
      'npm run demo',
    ]);
    const t = b.run(test!);
    expect(t.status, t.stderr).toBe(0);
  });

  it('as a sudo user with everything installed: no sudo, no apt-get', () => {
    const b = box({ uid: 1000, installed: ALL, sudo: true });
    const r = b.run(readmeCommands()[0]!);
    expect(r.status, r.stderr).toBe(0);
    expect(b.calls()).toEqual(['npm ci --no-audit --no-fund', 'npm run demo']);
  });

  it('as a sudo user with packages missing: apt-get through sudo', () => {
    const b = box({ uid: 1000, installed: ALL.filter((p) => p !== 'tmux' && p !== 'openssh-server'), sudo: true });
    const r = b.run(readmeCommands()[0]!);
    expect(r.status, r.stderr).toBe(0);
    expect(b.calls()).toEqual([
      'sudo apt-get update -qq',
      'apt-get update -qq',
      'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tmux openssh-server',
      'apt-get install -y -qq --no-install-recommends tmux openssh-server',
      'npm ci --no-audit --no-fund',
      'npm run demo',
    ]);
  });

  it('scripts/test.sh (npm test) runs the suite as root directly, and through sudo for a user', () => {
    const root = box({ uid: 0, installed: ALL, sudo: false });
    expect(root.run('bash scripts/test.sh').status).toBe(0);
    expect(root.calls()).toEqual(['npm run build', 'npx tsc -p tsconfig.test.json', 'npx vitest run']);
    const user = box({ uid: 1000, installed: ALL, sudo: true });
    expect(user.run('bash scripts/test.sh test/x.test.ts').status).toBe(0);
    const calls = user.calls();
    expect(calls.slice(0, 2)).toEqual(['npm run build', 'npx tsc -p tsconfig.test.json']);
    expect(calls[2]).toMatch(/^sudo env PATH=\S+ npx vitest run test\/x\.test\.ts$/);
  });
});
