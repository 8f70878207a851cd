// The helpers' flag and exit-code mapping, checked against a fake mosaic-agent that records its argv and stdin.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderTools } from '../../src/tools/index.js';
import { tempDir } from '../systemd/helpers/install.js';

let tmp: string;
let log: string;
let dir: string;

const FAKE_AGENT = `import { appendFileSync, readFileSync } from 'node:fs';
const argv = process.argv.slice(2);
const i = argv.indexOf('--file');
const stdin = i !== -1 && argv[i + 1] === '-' ? readFileSync(0, 'utf8') : null;
appendFileSync(process.env.FAKE_LOG, JSON.stringify({ argv, stdin }) + '\\n');
process.stdout.write('{"fake":true}\\n');
process.exit(Number(process.env.FAKE_EXIT || 0));
`;

beforeEach(() => {
  tmp = tempDir('mft-tools');
  log = join(tmp, 'calls.jsonl');
  dir = join(tmp, 'tools');
  mkdirSync(dir);
  writeFileSync(join(tmp, 'fake-agent.mjs'), FAKE_AGENT);
  for (const file of renderTools({ nodePath: process.execPath, agentCliPath: join(tmp, 'fake-agent.mjs'), dir }).files) {
    writeFileSync(file.path, file.content, { mode: file.mode });
  }
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

interface Call {
  argv: string[];
  stdin: string | null;
}

function runTool(name: string, args: string[], options: { input?: string; exit?: number; cwd?: string; path?: string } = {}) {
  const r = spawnSync(join(dir, name), args, {
    input: options.input ?? '',
    cwd: options.cwd ?? tmp,
    encoding: 'utf8',
    env: { PATH: options.path ?? '/usr/bin:/bin', FAKE_LOG: log, FAKE_EXIT: String(options.exit ?? 0) },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function calls(): Call[] {
  return existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Call)
    : [];
}

const shortHost = () => spawnSync('hostname', ['-s'], { encoding: 'utf8' }).stdout.trim();

describe('agent-send.sh flag mapping', () => {
  it('maps every flag to its own mosaic-agent argument and sends the body on stdin', () => {
    const r = runTool('agent-send.sh', ['-L', 'mosaic-factory', '-s', '=coder0', '-n', 'fleethost', '-S', 'web1:mos-claude', '-r', '3', '-m', 'status?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('{"fake":true}\n');
    expect(calls()).toEqual([
      {
        argv: ['send', '--socket', 'mosaic-factory', '--to-host', 'fleethost', '--from', 'web1:mos-claude', '--retries', '3', '--file', '-', '--', '=coder0'],
        stdin: 'status?',
      },
    ]);
  });

  it('passes -H as --ssh, -v as --json with the report on stderr', () => {
    const r = runTool('agent-send.sh', ['-v', '-H', 'jarvis@web2', '-s', 'rev0', '-m', 'x']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('{"fake":true}\n');
    expect(calls()[0]!.argv).toEqual(['send', '--json', '--ssh', 'jarvis@web2', '--file', '-', '--', 'rev0']);
  });

  it('prefixes a bare -S label with this host', () => {
    expect(runTool('agent-send.sh', ['-s', 'a', '-S', 'coder1', '-m', 'x']).code).toBe(0);
    expect(calls()[0]!.argv).toContain(`${shortHost()}:coder1`);
  });

  it('reads the body from -f (which wins over -m, as before) or from stdin', () => {
    writeFileSync(join(tmp, 'msg.txt'), 'from a file\n');
    expect(runTool('agent-send.sh', ['-s', 'a', '-f', 'msg.txt', '-m', 'ignored']).code).toBe(0);
    expect(runTool('agent-send.sh', ['-s', 'a'], { input: 'from stdin\nline 2\n' }).code).toBe(0);
    expect(calls()).toEqual([
      { argv: ['send', '--file', 'msg.txt', '--', 'a'], stdin: null },
      { argv: ['send', '--file', '-', '--', 'a'], stdin: 'from stdin\nline 2\n' },
    ]);
  });

  it('never evaluates its input: shell syntax and leading dashes arrive verbatim', () => {
    const marker = join(tmp, 'pwned');
    const hostile = `$(touch ${marker}) \`touch ${marker}\`; "q" 'q' \\ *`;
    const r = runTool('agent-send.sh', ['-s', `-x;$(touch ${marker})`, '-S', `h:$(touch ${marker})`, '-n', '*', '-m', hostile]);
    expect(r.code, r.stderr).toBe(0);
    expect(calls()).toEqual([{ argv: ['send', '--to-host', '*', '--from', `h:$(touch ${marker})`, '--file', '-', '--', `-x;$(touch ${marker})`], stdin: hostile }]);
    expect(existsSync(marker)).toBe(false);
  });

  it('folds mosaic-agent exit codes into 0-3', () => {
    const folded = [0, 1, 2, 3, 4, 5, 6, 7, 70].map((exit) => runTool('agent-send.sh', ['-s', 'a', '-m', 'x'], { exit }).code);
    expect(folded).toEqual([0, 1, 2, 3, 1, 3, 1, 2, 1]);
  });

  it('exits 3 on usage errors without calling mosaic-agent, 0 on -h', () => {
    expect(runTool('agent-send.sh', ['-m', 'no target']).code).toBe(3);
    expect(runTool('agent-send.sh', ['-x', '-s', 'a', '-m', 'x']).code).toBe(3);
    expect(runTool('agent-send.sh', ['-s', 'a', '-m', 'x', 'extra']).code).toBe(3);
    expect(runTool('agent-send.sh', ['-s']).code).toBe(3);
    expect(calls()).toEqual([]);
    const help = runTool('agent-send.sh', ['-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: agent-send\.sh/);
  });

  it('says how to repair a stale install instead of failing obscurely', () => {
    rmSync(join(tmp, 'fake-agent.mjs'));
    const r = runTool('agent-send.sh', ['-s', 'a', '-m', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/re-run: mosaic-fleet install-tools/);
  });
});

describe('send-message.sh flag mapping', () => {
  it('sends raw, without preamble; -b is decoded with base64 -d and wins over -f and -m', () => {
    const body = '/compact\nsecond line ✓';
    const b64 = Buffer.from(body).toString('base64');
    writeFileSync(join(tmp, 'msg.txt'), 'file body');
    expect(runTool('send-message.sh', ['-L', 'sock', '-t', '=coder0', '-r', '1', '-b', b64, '-f', 'msg.txt', '-m', 'no']).code).toBe(0);
    expect(runTool('send-message.sh', ['-t', 'a', '-f', 'msg.txt', '-m', 'no']).code).toBe(0);
    expect(runTool('send-message.sh', ['-t', 'a', '-m', 'plain']).code).toBe(0);
    expect(runTool('send-message.sh', ['-t', 'a'], { input: 'piped' }).code).toBe(0);
    expect(calls()).toEqual([
      { argv: ['send', '--no-preamble', '--raw', '--socket', 'sock', '--retries', '1', '--file', '-', '--', '=coder0'], stdin: body },
      { argv: ['send', '--no-preamble', '--raw', '--file', 'msg.txt', '--', 'a'], stdin: null },
      { argv: ['send', '--no-preamble', '--raw', '--file', '-', '--', 'a'], stdin: 'plain' },
      { argv: ['send', '--no-preamble', '--raw', '--file', '-', '--', 'a'], stdin: 'piped' },
    ]);
  });

  it('refuses a body that is not base64 with 3, before calling mosaic-agent', () => {
    const r = runTool('send-message.sh', ['-t', 'a', '-b', 'not*base64!']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not valid base64/);
    expect(calls()).toEqual([]);
  });

  it('folds exit codes and rejects bad flags like agent-send.sh', () => {
    expect([4, 5, 7].map((exit) => runTool('send-message.sh', ['-t', 'a', '-m', 'x'], { exit }).code)).toEqual([1, 3, 2]);
    expect(runTool('send-message.sh', ['-s', 'a', '-m', 'x']).code).toBe(3); // -s belongs to agent-send.sh
    expect(runTool('send-message.sh', ['-m', 'x']).code).toBe(3);
  });
});

describe('the scripts are POSIX sh', () => {
  it('parse under dash and posix-mode bash, and use no bash-only syntax', () => {
    for (const name of ['agent-send.sh', 'send-message.sh']) {
      const path = join(dir, name);
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      for (const shell of [['dash', '-n'], ['bash', '--posix', '-n']]) {
        const r = spawnSync(shell[0]!, [...shell.slice(1), path], { encoding: 'utf8' });
        expect({ shell: shell[0], code: r.status, stderr: r.stderr }).toEqual({ shell: shell[0], code: 0, stderr: '' });
      }
      const code = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
      expect(code.join('\n')).not.toMatch(/\[\[|\$\{[^}]*@Q\}|\bfunction\b|<<<|\blocal\b|\$'|\(\s*\)\s*=|=\(|pipefail|\beval\b/u);
    }
  });
});
