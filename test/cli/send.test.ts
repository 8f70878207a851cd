import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { runCli } from '../helpers/cli.js';
import { startSim } from '../helpers/sim.js';

const FROM = ['--from', 'testhost:tester', '--to-host', 'fleethost'];
let t: PrivateTmux;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  t = privateTmux('mft-send');
  env = { HOME: t.home };
});
afterEach(() => t.cleanup());

const send = (target: string, args: string[], input?: string) =>
  runCli('agent', ['send', '-L', t.socket, target, ...FROM, '--json', ...args], { env, ...(input !== undefined ? { input } : {}) });

describe('mosaic-agent send: exact targets', () => {
  it('never reaches agent0 when asked for agent', async () => {
    const agent0 = await startSim(t, 'agent0');
    const miss = await send('agent', ['-m', 'for agent only']);
    expect(miss.code).toBe(1);
    const err = JSON.parse(miss.stdout);
    expect(err.error.code).toBe('TARGET_NOT_FOUND');
    expect(err.error.hint).toMatch(/agent0/);
    expect(miss.stderr).toMatch(/no session 'agent'/);
    expect(agent0.submits()).toHaveLength(0);

    const agent = await startSim(t, 'agent');
    const hit = await send('agent', ['-m', 'for agent only']);
    expect(hit.code).toBe(0);
    expect(JSON.parse(hit.stdout).to).toEqual({ host: 'fleethost', session: 'agent' });
    expect(agent.submits().map((e) => e.text)).toEqual(['[testhost:tester -> fleethost:agent] for agent only']);
    expect(agent0.submits()).toHaveLength(0);
  });

  it('treats names tmux would fnmatch as literal names', async () => {
    const star = await startSim(t, 'ab*');
    const abc = await startSim(t, 'abc');
    expect((await send('a*', ['-m', 'glob'])).code).toBe(1);
    expect((await send('ab*', ['-m', 'to star'])).code).toBe(0);
    expect((await send('abc', ['-m', 'to abc'])).code).toBe(0);
    expect(star.submits().map((e) => e.text)).toEqual(['[testhost:tester -> fleethost:ab*] to star']);
    expect(abc.submits().map((e) => e.text)).toEqual(['[testhost:tester -> fleethost:abc] to abc']);
  });

  it('honours =name, name:window.pane and %N exactly', async () => {
    const a = await startSim(t, 'alpha');
    const b = await startSim(t, 'alphabet');
    // The hostile ~/.tmux.conf in this test HOME made windows and panes start at 1.
    expect((await send('=alpha', ['-m', 'one'])).code).toBe(0);
    expect((await send('alpha:1.1', ['-m', 'two'])).code).toBe(0);
    expect((await send('alpha:0.0', ['-m', 'nope'])).code).toBe(1);
    expect((await send(b.paneId, ['-m', 'three'])).code).toBe(0);
    expect((await send('%999', ['-m', 'nope'])).code).toBe(1);
    expect(a.submits().map((e) => e.text?.split('] ')[1])).toEqual(['one', 'two']);
    expect(b.submits().map((e) => e.text?.split('] ')[1])).toEqual(['three']);
  });
});

describe('mosaic-agent send: bodies arrive whole and inert', () => {
  it('delivers single-line, multi-line and unicode bodies exactly once', async () => {
    const sim = await startSim(t, 'bodies');
    const bodies = ['single line', 'line one\nline two\n  indented three', 'ünïcødé 漢字 emoji 🚀 combining é', 'x'.repeat(3000)];
    for (const body of bodies) {
      const r = await send('bodies', ['-m', body]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).status).toBe('submitted');
    }
    expect(sim.submits().map((e) => e.text)).toEqual(bodies.map((b) => `[testhost:tester -> fleethost:bodies] ${b}`));
  });

  it('takes the body from a file and from stdin, CRLF normalised', async () => {
    const sim = await startSim(t, 'sources');
    const dir = mkdtempSync(join(tmpdir(), 'mft-body-'));
    writeFileSync(join(dir, 'msg.txt'), 'from a file\r\nsecond line\r\n');
    expect((await send('sources', ['-f', join(dir, 'msg.txt')])).code).toBe(0);
    expect((await send('sources', [], 'from stdin\n')).code).toBe(0);
    expect(sim.submits().map((e) => e.text)).toEqual([
      '[testhost:tester -> fleethost:sources] from a file\nsecond line',
      '[testhost:tester -> fleethost:sources] from stdin',
    ]);
  });

  it('keeps escape sequences and shell syntax inert', async () => {
    const sim = await startSim(t, 'inert');
    const marker = join(t.home, 'pwned');
    const hostile = `a\x1b[201~\r/exit\rb $(touch ${marker}) \`touch ${marker}\`; rm -rf /nonexistent \x07\x1b]0;title\x07c`;
    const r = await send('inert', ['-m', hostile]);
    expect(r.code, r.stderr).toBe(0);
    const texts = sim.submits().map((e) => e.text);
    expect(texts).toEqual([`[testhost:tester -> fleethost:inert] a\n/exit\nb $(touch ${marker}) \`touch ${marker}\`; rm -rf /nonexistent c`]);
    expect(sim.events().some((e) => e.kind === 'exit')).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect(t.tmux('list-panes', '-t', sim.paneId, '-F', '#{pane_dead}').stdout.trim()).toBe('0');
  });

  it('delivers a 1 MiB body whole and refuses a larger one without sending', async () => {
    const sim = await startSim(t, 'big');
    const line = 'abcdefghij'.repeat(10) + '\n';
    const preambleLen = '[testhost:tester -> fleethost:big] '.length;
    const body = line.repeat(Math.floor((1024 * 1024 - preambleLen) / line.length)).trimEnd();
    const ok = await send('big', ['--timeout', '30'], body);
    expect(ok.code, ok.stderr).toBe(0);
    expect(sim.submits()).toHaveLength(1);
    expect(sim.submits()[0]!.text).toBe(`[testhost:tester -> fleethost:big] ${body}`);
    const tooBig = await send('big', [], 'y'.repeat(1024 * 1024 + 1));
    expect(tooBig.code).toBe(3);
    expect(JSON.parse(tooBig.stdout).error.message).toMatch(/limit is 1048576 bytes/);
    expect(sim.submits()).toHaveLength(1);
  });

  it('refuses empty bodies and unpreambled commands unless --raw', async () => {
    const sim = await startSim(t, 'cmds');
    expect((await send('cmds', ['-m', '  \n'])).code).toBe(3);
    const refused = await send('cmds', ['-m', '/clear', '--no-preamble']);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout).error.message).toMatch(/slash command/);
    expect((await send('cmds', ['-m', '!rm -rf ~', '--no-preamble'])).code).toBe(3);
    const raw = await send('cmds', ['-m', '/clear', '--no-preamble', '--raw']);
    expect(raw.code, raw.stderr).toBe(0);
    expect(sim.events().filter((e) => e.kind === 'command').map((e) => e.text)).toEqual(['/clear']);
    expect(sim.submits()).toHaveLength(0);
  });
});

describe('mosaic-agent send: verdicts', () => {
  it('reports a swallowed Enter as submitted after a retry, with exactly one submission', async () => {
    const sim = await startSim(t, 'swallow', { swallowMs: 150 });
    const r = await send('swallow', ['-m', 'through the window']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('submitted');
    expect(doc.attempts).toBeGreaterThan(1);
    expect(sim.events().filter((e) => e.kind === 'swallowed').length).toBeGreaterThan(0);
    expect(sim.submits()).toHaveLength(1);
  });

  it('reports queued when the REPL is busy', async () => {
    const sim = await startSim(t, 'busy', { busyMs: 4000 });
    const first = JSON.parse((await send('busy', ['-m', 'first'])).stdout);
    expect(first.status).toBe('submitted');
    const second = await send('busy', ['-m', 'second']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).status).toBe('queued');
    expect(sim.submits().map((e) => [e.text?.split('] ')[1], e.queued])).toEqual([
      ['first', false],
      ['second', true],
    ]);
  });

  it('reports draft with exit 2 when the REPL never takes the Enter, and pastes only once', async () => {
    const sim = await startSim(t, 'deaf', { ignoreEnter: true });
    const r = await send('deaf', ['-m', 'stuck in the box', '--timeout', '1.5']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('draft');
    expect(doc.attempts).toBeGreaterThan(1);
    const screen = t.tmux('capture-pane', '-p', '-t', sim.paneId).stdout;
    expect(screen.split('stuck in the box').length - 1).toBe(1);
    expect(sim.submits()).toHaveLength(0);
  });

  it('holds instead of pasting into a box that holds text a person is typing', async () => {
    const sim = await startSim(t, 'typing');
    t.tmux('send-keys', '-t', sim.paneId, '-l', 'half-typed by a human');
    const r = await send('typing', ['-m', 'automated', '--hold', '0.3']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).status).toBe('held');
    const screen = t.tmux('capture-pane', '-p', '-t', sim.paneId).stdout;
    expect(screen).toContain('half-typed by a human');
    expect(screen).not.toContain('automated');
    expect(sim.submits()).toHaveLength(0);
  });

  it('fails with exit 1 and a hint on a dead pane, and with exit 1 when no server runs', async () => {
    t.tmux('new-session', '-d', '-s', 'corpse', '--', 'sh', '-c', 'exit 3', ';', 'set-option', '-w', 'remain-on-exit', 'on');
    // The window option is set after the program may already have exited; make the pane dead deterministically.
    t.tmux('new-session', '-d', '-s', 'dead', '--', 'sleep', '30', ';', 'set-option', '-w', 'remain-on-exit', 'on');
    t.tmux('respawn-pane', '-k', '-t', 'dead:', 'sh', '-c', 'exit 3');
    const { waitFor } = await import('../helpers/tmux.js');
    await waitFor('dead pane', () => t.tmux('list-panes', '-t', '=dead:', '-F', '#{pane_dead}').stdout.trim() === '1');
    const r = await send('dead', ['-m', 'hello?']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('PANE_DEAD');
    expect(r.stderr).toMatch(/hint: revive it with `mosaic-fleet start dead`/);
    const none = await runCli('agent', ['send', '-L', `${t.socket}-nothing`, 'x', '-m', 'hi'], { env });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no tmux server is running/);
    expect(none.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('prints exactly one JSON document on stdout and logs nothing else there', async () => {
    await startSim(t, 'jsonly');
    const r = await send('jsonly', ['-m', 'json please']);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, status: 'submitted', from: { host: 'testhost', session: 'tester' } });
    expect(typeof doc.id).toBe('string');
    expect(typeof doc.latencyMs).toBe('number');
    expect(typeof doc.attempts).toBe('number');
  });
});
