// Pure units: remote quoting, the lock channel's framing, ssh target parsing and the host factory.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FleetError } from '../../src/errors.js';
import { adHocSshHost, hostFor, parseSshTarget } from '../../src/host/factory.js';
import { LocalHost } from '../../src/host/local.js';
import { remoteCommandLine, shellQuote } from '../../src/host/quote.js';
import { encodeLine, encodeRequest, ReplyParser } from '../../src/host/remote-lock.js';
import { SshHost } from '../../src/host/ssh.js';
import { HOSTILE_ARGS } from './hostile.js';

/** What a POSIX shell makes of a command line: run it through `sh -c` and print each word NUL-terminated. */
function wordsAfterShell(line: string): string[] {
  const r = spawnSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

describe('shellQuote / remoteCommandLine', () => {
  it('quotes every element, the program name included', () => {
    expect(shellQuote('tmux')).toBe(`'tmux'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
    expect(remoteCommandLine(['tmux', '-L', 'x y'])).toBe(`'tmux' '-L' 'x y'`);
  });

  it('survives a real POSIX shell byte-for-byte', () => {
    expect(wordsAfterShell(remoteCommandLine(HOSTILE_ARGS))).toEqual(HOSTILE_ARGS);
    for (const shell of ['bash', 'dash']) {
      const r = spawnSync(shell, ['-c', `printf '%s\\0' ${remoteCommandLine(HOSTILE_ARGS)}`], { encoding: 'utf8' });
      if (r.error) continue; // that shell is not installed
      expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE_ARGS);
    }
  });

  it('refuses NUL and empty argv', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(() => remoteCommandLine([])).toThrow(/empty/);
  });
});

describe('lock channel framing', () => {
  it('sends plain lines raw and escapes only newline and backslash', () => {
    expect(encodeLine('tmux')).toBe('rtmux');
    expect(encodeLine("it's $(x)")).toBe("rit's $(x)");
    expect(encodeLine('a\nb\\c')).toBe('ea\\nb\\\\c');
  });

  it('frames argv and stdin as lines', () => {
    expect(encodeRequest(['tmux', 'load-buffer', '-'], 'x\ny').toString('utf8')).toBe('3\nrtmux\nrload-buffer\nr-\nex\\ny\n');
    expect(encodeRequest(['true']).toString('utf8')).toBe('1\nrtrue\nr\n');
    expect(encodeRequest(['cat'], Buffer.from([0xff, 0x0a])).equals(Buffer.from('1\nrcat\ne\xff\\n\n', 'latin1'))).toBe(true);
  });

  it('parses the locked line, then replies split across chunks', () => {
    const p = new ReplyParser();
    p.push(Buffer.from('motd noise\nlock'));
    expect(p.takeLocked()).toBe(false);
    p.push(Buffer.from('ed\nR 0 3 2\nab'));
    expect(p.takeLocked()).toBe(true);
    expect(p.takeReply()).toBeNull();
    p.push(Buffer.from('\nE!R 127 0 0\n'));
    expect(p.takeReply()).toEqual({ code: 0, stdout: 'ab\n', stderr: 'E!' });
    expect(p.takeReply()).toEqual({ code: 127, stdout: '', stderr: '' });
    expect(p.takeReply()).toBeNull();
  });
});

describe('parseSshTarget', () => {
  it.each([
    ['user@host', { destination: 'user@host' }],
    ['user@host:2222', { destination: 'user@host', port: 2222 }],
    ['ssh://user@host:2222', { destination: 'user@host', port: 2222 }],
    ['ssh://host/', { destination: 'host' }],
    ['user@[::1]:22', { destination: 'user@::1', port: 22 }],
    ['fe80::1', { destination: 'fe80::1' }],
    ['alias', { destination: 'alias' }],
  ])('%s', (target, expected) => {
    expect(parseSshTarget(target)).toEqual(expected);
  });

  it.each(['', '-oProxyCommand=touch /tmp/x', 'user@host:0', 'user@host:70000', 'a b'])('rejects %j', (target) => {
    expect(() => parseSshTarget(target)).toThrow(FleetError);
  });
});

describe('hostFor / adHocSshHost', () => {
  const roster = {
    hosts: {
      build: { ssh: 'dev@build.example', port: 22 },
      gpu: { ssh: 'me@gpu', port: 2200, identity_file: '/k/id', hostname: 'gpu-box' },
    },
  };

  it('maps local and undefined to LocalHost', () => {
    expect(hostFor(undefined, roster)).toBeInstanceOf(LocalHost);
    expect(hostFor('local', roster)).toBeInstanceOf(LocalHost);
  });

  it('builds ssh hosts from the roster, leaving the default port to ~/.ssh/config', async () => {
    const build = hostFor('build', roster, { controlDir: '/nonexistent/cm' }) as SshHost;
    expect(build).toBeInstanceOf(SshHost);
    expect(build.connectionArgs()).not.toContain('-p');
    const gpu = hostFor('gpu', roster) as SshHost;
    expect(gpu.connectionArgs()).toEqual(expect.arrayContaining(['-p', '2200', '-i', '/k/id', '-o', 'BatchMode=yes', '-o', 'ControlMaster=auto']));
    expect(await gpu.shortHostname()).toBe('gpu-box');
  });

  it('names unknown hosts with a suggestion', () => {
    expect(() => hostFor('buld', roster)).toThrow(/unknown host 'buld'; did you mean 'build'/);
  });

  it('makes ad-hoc hosts from --ssh', () => {
    const h = adHocSshHost('ssh://ops@10.0.0.9:2022', { hostname: 'ops9' });
    expect(h.name).toBe('ops@10.0.0.9');
    expect(h.destination).toBe('ops@10.0.0.9');
    expect(h.connectionArgs()).toEqual(expect.arrayContaining(['-p', '2022']));
  });

  it('lets extra options come first so they win over ours', () => {
    const h = new SshHost({ name: 'x', ssh: 'x', extraOptions: ['-o', 'ConnectTimeout=1'], controlDir: '/nonexistent/cm' });
    const args = h.connectionArgs();
    expect(args.indexOf('ConnectTimeout=1')).toBeLessThan(args.indexOf('ConnectTimeout=10'));
    expect(args).toContain('ControlPath=/nonexistent/cm/%C');
  });
});
