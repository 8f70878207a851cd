// The tmux control-mode Host against real tmux on a private socket: every reply compared with what a forked tmux
// prints for the same argv, bodies byte-exact, many calls at once, the server dying under it, and output events
// for panes in sessions the control client is not attached to.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LocalHost } from '../../src/host/local.js';
import { Tmux, observePane } from '../../src/tmux/client.js';
import { paneFormat } from '../../src/tmux/format.js';
import { connectControl, type ControlHost } from '../../src/tmux/control.js';
import { FleetError } from '../../src/errors.js';
import { CountingHost } from '../../src/bench/util.js';
import { TmuxTransport } from '../../src/transport/tmux/transport.js';
import { shippedTmuxConf } from '../../src/paths.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { readEvents, simArgs } from '../helpers/sim.js';

const HOLDER = '_holder';

/** Pids with an open descriptor on `path` (deleted or not), read from /proc. */
function processesHolding(path: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(path)) {
          pids.push(Number(pid));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return pids;
}

describe('tmux control-mode host', () => {
  let t: PrivateTmux;
  let control: ControlHost | null = null;
  let spool = '';
  /** What the control host logged (why a watch did not start), shown when an assertion on a watch fails. */
  let logged: string[] = [];
  let forked: Tmux;
  let over: Tmux;

  beforeEach(async () => {
    t = privateTmux('mft-ctl');
    spool = mkdtempSync(join(tmpdir(), 'mft-ctl-spool-'));
    t.tmux('new-session', '-d', '-s', HOLDER, '-x', '200', '-y', '50', 'sh -c "while :; do sleep 3600; done"');
    logged = [];
    control = await connectControl({ local: new LocalHost(), socket: { name: t.socket }, session: HOLDER, spoolParent: spool, log: (line) => logged.push(line) });
    forked = new Tmux(new LocalHost(), { name: t.socket });
    over = new Tmux(control, { name: t.socket });
  });
  afterEach(async () => {
    await control?.close();
    control = null;
    t.cleanup();
    rmSync(spool, { recursive: true, force: true });
  });

  /** The same argv through a forked tmux and through the control connection. */
  const both = async (args: string[], input?: string | Buffer) => {
    const a = await forked.host.exec(forked.argv(args), { input, timeoutMs: 10_000 });
    const b = await control!.exec(over.argv(args), { input, timeoutMs: 10_000 });
    return { forked: a, control: b };
  };
  const newPane = (session: string, command = 'sh'): string => {
    const r = t.tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', session, '-x', '120', '-y', '30', command);
    expect(r.code).toBe(0);
    return r.stdout.trim();
  };
  /** A pane whose program exited, kept by remain-on-exit. */
  const deadPane = (session: string): string => {
    const r = t.tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', session, 'sh -c "read x; exit 3"', ';', 'set-option', '-w', 'remain-on-exit', 'on');
    const pane = r.stdout.trim();
    t.tmux('send-keys', '-t', pane, 'Enter');
    return pane;
  };
  const typeLine = (pane: string, line: string) => expect(t.tmux('send-keys', '-t', pane, '-l', line).code).toBe(0);

  it('observePane and list-panes replies are byte-identical to a forked tmux', async () => {
    const pane = newPane('ünï-ses\tsion');
    typeLine(pane, "printf '\\033[1;31mred\\033[0m\\tTAB ünïcödé 日本語 \\033[2mdim\\033[0m\\n'");
    t.tmux('send-keys', '-t', pane, 'Enter');
    await waitFor('drawn', () => t.tmux('capture-pane', '-p', '-t', pane).stdout.includes('日本語 dim'));
    // The two replies are two reads: let tmux's automatic window rename catch up with the pane's program first (it
    // runs on a timer, and may still show the shell that started the command), so both see the same window name.
    await waitFor('the window renamed after sh', () => t.tmux('display-message', '-p', '-t', pane, '#{pane_current_command} #{window_name}').stdout.trim() === 'sh sh');
    t.tmux('set-option', '-p', '-t', pane, '@mosaic_agent', 'tab\there ünï');
    const observe = ['capture-pane', '-p', '-e', '-t', pane, ';', 'display-message', '-p', '-t', pane, '#{cursor_y} #{pane_dead} #{pane_in_mode} #{cursor_x} #{pane_pid} #{cursor_flag}'];
    const r1 = await both(observe);
    expect(r1.control.code).toBe(0);
    expect(r1.control.stdout).toBe(r1.forked.stdout);
    expect(r1.control.stdout).toContain('\u001b[1m\u001b[31mred');
    const r2 = await both(['list-panes', '-a', '-F', paneFormat(true)]);
    expect(r2.control.stdout).toBe(r2.forked.stdout);
    const r3 = await both(['list-panes', '-a', '-F', '#{session_name}\t#{@unset_option}\t#{@mosaic_agent}\t\t#{pane_id}']);
    expect(r3.control.stdout).toBe(r3.forked.stdout);
    // tmux stores a tab in a session name as the two characters \\t.
    expect(r3.control.stdout).toContain('ünï-ses\\tsion\t\ttab\there ünï\t\t%');
    // And the parsed readings agree.
    expect(await observePane(over, pane)).toEqual(await observePane(forked, pane));
    expect(await over.listPanes()).toEqual(await forked.listPanes());
    expect(await over.listPaneStates()).toEqual(await forked.listPaneStates());
  });

  it('quotes every argument so it arrives byte-exact', async () => {
    const nasty = [
      "it's", "'", "''", "a'b'c", '"double"', '#{session_name}', '##{x}', '$HOME', '${HOME}', '~', '~/x', 'a ; b', ';x', ' ; ',
      '{', '}', '{ a }', '%', '%if 1', '%%', '\\', '\\\\', 'back\\slash\\', 'tab\tin', 'cr\rin', 'ünïcödé 日本語 🙂',
      '-t', '--', '-', '', ' ', '$(id)', '`id`', '!', '#', '#[fg=red]',
    ];
    for (const value of nasty) {
      const set = await both(['set-option', '-g', '@q', value, ';', 'show-options', '-gqv', '@q']);
      expect(set.control.code, value).toBe(0);
      expect(set.control.stdout, value).toBe(set.forked.stdout);
      expect(set.control.stdout, value).toBe(`${value}\n`);
      const shown = await both(['display-message', '-p', '--', value]);
      expect(shown.control.stdout, value).toBe(shown.forked.stdout);
    }
    // A trailing ';' splits the command exactly as a forked tmux splits it; '\;' is a literal ';'.
    for (const args of [['display-message', '-p', 'a;', 'display-message', '-p', 'b'], ['display-message', '-p', 'a\\;'], ['display-message', '-p', 'x\\\\;']]) {
      const r = await both(args);
      expect(r.control.stdout, args.join(' ')).toBe(r.forked.stdout);
      expect(r.control.code).toBe(r.forked.code);
    }
  });

  it('refuses a newline in an argument with a clear error, and stays usable', async () => {
    const r = await control!.exec(over.argv(['display-message', '-p', 'two\nlines']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/newline.*body/);
    expect((await control!.exec(over.argv(['display-message', '-p', 'still here']))).stdout).toBe('still here\n');
  });

  it('fails to connect with the error a forked tmux would give: no such session, no server', async () => {
    await expect(connectControl({ local: new LocalHost(), socket: { name: t.socket }, session: 'nope', spoolParent: spool })).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
    await expect(connectControl({ local: new LocalHost(), socket: { name: `${t.socket}-none` }, session: HOLDER, spoolParent: spool })).rejects.toMatchObject({ code: 'NO_SERVER' });
    // Nothing left behind: only our own connection is a client, and only its private directory exists.
    await waitFor('failed clients gone', () => t.tmux('list-clients').stdout.trim().split('\n').length === 1);
    expect(readdirSync(spool)).toHaveLength(1);
  });

  it('refuses an argv naming another server', async () => {
    const r = await control!.exec(['tmux', '-u', '-L', `${t.socket}-other`, 'list-sessions']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/serves socket/);
  });

  it('sends stdin bodies through a private file: 100 KB and binary-ish UTF-8 arrive byte-exact, the file is gone after', async () => {
    const big = Array.from({ length: 1600 }, (_, i) => `line ${i} ${'x'.repeat(50)} ünï 日本\n`).join('');
    expect(big.length).toBeGreaterThan(100_000);
    await over.loadBuffer('big', big);
    const shown = spawnSync('tmux', ['-L', t.socket, 'show-buffer', '-b', 'big'], { encoding: 'buffer' });
    expect(Buffer.compare(shown.stdout, Buffer.from(big))).toBe(0);
    const binary = Buffer.from([...Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0), ...Buffer.from('🙂\t\r\n\u001b[31m')]);
    await over.loadBuffer('bin', binary.toString('latin1'));
    const shownBin = spawnSync('tmux', ['-L', t.socket, 'show-buffer', '-b', 'bin'], { encoding: 'buffer' });
    expect(Buffer.compare(shownBin.stdout, Buffer.from(binary.toString('latin1')))).toBe(0);
    // No body file outlives its command, and the directory holding them is private.
    const dirs = readdirSync(spool);
    expect(dirs).toHaveLength(1);
    expect(readdirSync(join(spool, dirs[0]!))).toEqual([]);
    expect(spawnSync('stat', ['-c', '%a', join(spool, dirs[0]!)], { encoding: 'utf8' }).stdout.trim()).toBe('700');
  });

  it('loadAndPaste puts a multi-line body into a pane exactly', async () => {
    const out = join(spool, 'pasted.txt');
    const pane = newPane('paste', `stty -echo -icanon; exec cat > ${out}`);
    await waitFor('cat running', () => t.tmux('display-message', '-p', '-t', pane, '#{pane_current_command}').stdout.includes('cat'));
    const body = Array.from({ length: 200 }, (_, i) => `row ${i}: ünï 日本 'q' "d" $HOME \\ ;`).join('\n') + '\n';
    await over.loadAndPaste('pb', body, pane);
    await waitFor('all pasted', () => existsSync(out) && readFileSync(out, 'utf8').length >= body.length);
    expect(readFileSync(out, 'utf8')).toBe(body);
  });

  it('matches 200 concurrent mixed calls each to its own reply', async () => {
    const pane = newPane('busy');
    const calls = Array.from({ length: 200 }, async (_, i) => {
      switch (i % 5) {
        case 0:
          return expect((await control!.exec(over.argv(['display-message', '-p', `call-${i}`]))).stdout).toBe(`call-${i}\n`);
        case 1: {
          const r = await control!.exec(over.argv(['display-message', '-p', '-t', '%99999', 'x', ';', 'capture-pane', '-p', '-t', '%99998']));
          expect(r.code).toBe(1);
          return expect(r.stderr).toMatch(/can't find pane/);
        }
        case 2: {
          await over.loadBuffer(`b${i}`, `body-${i}\n`.repeat(i));
          return expect((await control!.exec(over.argv(['show-options', '-gqv', '@never']))).stdout).toBe('');
        }
        case 3: {
          const r = await control!.exec(over.argv(['set-option', '-p', '-t', pane, `@k${i}`, `v${i}`, ';', 'show-options', '-pqv', '-t', pane, `@k${i}`]));
          return expect(r.stdout).toBe(`v${i}\n`);
        }
        default:
          return expect((await observePane(over, pane)).dead).toBe(false);
      }
    });
    await Promise.all(calls);
    for (let i = 2; i < 200; i += 5) {
      expect(t.tmux('show-buffer', '-b', `b${i}`).stdout).toBe(`body-${i}\n`.repeat(i));
    }
  });

  it('reports tmux errors worded as a forked tmux words them', async () => {
    await expect(over.capture('%424242')).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
    await expect(over.run(['nosuchcommand'])).rejects.toMatchObject({ message: expect.stringContaining('unknown command: nosuchcommand') });
    const pane = deadPane('dies');
    const dead = await both(['pipe-pane', '-t', pane, 'cat']);
    expect(dead.control).toMatchObject({ code: 1, stderr: dead.forked.stderr });
    await expect(over.run(['pipe-pane', '-t', pane, 'cat'])).rejects.toMatchObject({ code: 'PANE_DEAD' });
    const r = await both(['display-message', '-p', '-t', '%777777', 'x', ';', 'list-sessions', '-F', 'never']);
    expect(r.control).toMatchObject({ code: r.forked.code, stdout: r.forked.stdout, stderr: r.forked.stderr });
  });

  it('the tmux client process dying fails every pending call as NO_SERVER and tells the owner', async () => {
    const pid = control!.pid!;
    void over.run(['run-shell', 'sleep 5']).catch(() => undefined);
    const pending = over.run(['display-message', '-p', 'queued']).then(() => null, (e: unknown) => e);
    process.kill(pid, 'SIGKILL');
    expect(await pending).toMatchObject({ code: 'NO_SERVER' });
    expect(await control!.closed).toMatch(/SIGKILL/);
    await expect(over.run(['list-sessions'])).rejects.toMatchObject({ code: 'NO_SERVER' });
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    // The server itself is fine: only this connection is gone.
    expect(await forked.serverRunning()).toBe(true);
  });

  it('a command that never answers after its timeout declares the connection broken (the owner reconnects)', async () => {
    const stalling = await connectControl({ local: new LocalHost(), socket: { name: t.socket }, session: HOLDER, spoolParent: spool, stallMs: 200 });
    const r = await stalling.exec(over.argv(['run-shell', 'sleep 3']), { timeoutMs: 100 });
    expect(r.timedOut).toBe(true);
    expect(await stalling.closed).toMatch(/did not finish 200 ms after its 100 ms timeout/);
    const after = await stalling.exec(over.argv(['display-message', '-p', 'x']));
    expect(after.stderr).toMatch(/no server running/);
    await waitFor('client gone', () => !existsSync(`/proc/${stalling.pid}`));
  });

  it('a timed-out call returns timedOut and the connection stays usable', async () => {
    const r = await control!.exec(over.argv(['run-shell', 'sleep 0.6']), { timeoutMs: 100 });
    expect(r.timedOut).toBe(true);
    expect((await control!.exec(over.argv(['display-message', '-p', 'after']), { timeoutMs: 10_000 })).stdout).toBe('after\n');
  });

  it('commands after new-session in the same list land on the new session, as forked', async () => {
    await over.run(['new-session', '-d', '-s', 'fresh.one', 'sh', ';', 'set-option', '-w', 'remain-on-exit', 'on', ';', 'set-option', '-p', '@tag', 'mine', ';', 'set-option', '@s', 'yes']);
    expect(t.tmux('show-options', '-w', '-t', '=fresh_one:', '-v', 'remain-on-exit').stdout.trim()).toBe('on');
    expect(t.tmux('show-options', '-p', '-t', '=fresh_one:', '-v', '@tag').stdout.trim()).toBe('mine');
    expect(t.tmux('show-options', '-t', 'fresh_one', '-v', '@s').stdout.trim()).toBe('yes');
    expect(t.tmux('show-options', '-p', '-t', `=${HOLDER}:`, '-qv', '@tag').stdout.trim()).toBe('');
  });

  it('kill-server: its own call succeeds, pending calls fail as NO_SERVER, onClose fires, the client process is gone', async () => {
    const pid = control!.pid!;
    const reasons: string[] = [];
    control!.onClose((r) => reasons.push(r));
    // A call queued behind a long one is still unanswered when the server goes.
    void over.run(['run-shell', 'sleep 5']).catch(() => undefined);
    const pending = over.run(['display-message', '-p', 'queued']).then(() => null, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.tmux('kill-server').code).toBe(0);
    const error = await pending;
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe('NO_SERVER');
    expect(await control!.closed).toMatch(/./);
    expect(reasons).toHaveLength(1);
    await expect(over.run(['list-sessions'])).rejects.toMatchObject({ code: 'NO_SERVER' });
    await waitFor('client exited', () => !existsSync(`/proc/${pid}`));
  });

  it('kill-server sent over the connection itself reports success', async () => {
    await expect(over.run(['kill-server'])).resolves.toBe('');
    await control!.closed;
    expect(await forked.serverRunning()).toBe(false);
  });

  it('the holder session killed ends the connection (tmux detaches the client), the server lives on', async () => {
    const pid = control!.pid!;
    newPane('keeps-server-up');
    expect(t.tmux('kill-session', '-t', `=${HOLDER}`).code).toBe(0);
    expect(await control!.closed).toMatch(/./);
    await expect(over.run(['list-sessions'])).rejects.toMatchObject({ code: 'NO_SERVER' });
    await waitFor('client exited', () => !existsSync(`/proc/${pid}`));
    expect(await forked.serverRunning()).toBe(true);
  });

  it('close() detaches cleanly: no client process left, later calls fail as NO_SERVER', async () => {
    const pid = control!.pid!;
    expect(t.tmux('list-clients', '-F', '#{client_pid}').stdout.trim()).toBe(String(pid));
    await control!.close();
    expect(await control!.closed).toBe('closed by its owner');
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(t.tmux('list-clients').stdout.trim()).toBe('');
    await expect(over.run(['list-sessions'])).rejects.toMatchObject({ code: 'NO_SERVER' });
  });

  it('waitOutput: true as soon as a pane in another session draws, false on silence', async () => {
    const pane = newPane('other');
    // Watch only once the shell has drawn its prompt, so the silence below is real.
    await waitFor('prompt', () => t.tmux('capture-pane', '-p', '-t', pane).stdout.trim() !== '');
    expect(await control!.watchPane(pane), logged.join('\n')).toBe('active');
    expect(await control!.waitOutput(pane, 300)).toBe(false);
    const waiting = control!.waitOutput(pane, 10_000);
    typeLine(pane, 'echo drawn');
    expect(await waiting).toBe(true);
    // A mark taken before the output counts output that came before the wait began.
    const mark = control!.outputMark(pane);
    t.tmux('send-keys', '-t', pane, 'Enter');
    await waitFor('echoed', () => t.tmux('capture-pane', '-p', '-t', pane).stdout.includes('\ndrawn'));
    // The pipe reaches us a moment after tmux drew it: once it has, a wait from the earlier mark returns at once.
    await waitFor('the output read from the pipe', () => control!.outputMark(pane) !== mark);
    expect(await control!.waitOutput(pane, 1, mark)).toBe(true);
    expect(t.tmux('display-message', '-p', '-t', pane, '#{pane_pipe}').stdout.trim()).toBe('1');
    const fifo = join(spool, readdirSync(spool)[0]!, readdirSync(join(spool, readdirSync(spool)[0]!)).find((f) => f.startsWith('pane-'))!);
    expect(processesHolding(fifo).length).toBeGreaterThanOrEqual(2); // the pipe's cat, and us
    // close() takes our pipe away again, and its cat goes with it.
    await control!.close();
    expect(t.tmux('display-message', '-p', '-t', pane, '#{pane_pipe}').stdout.trim()).toBe('0');
    await waitFor('pipe process gone', () => processesHolding(fifo).length === 0);
  });

  it('waitOutput leaves a pane someone else pipes alone and just times out', async () => {
    const pane = newPane('piped');
    const theirs = join(spool, 'theirs.log');
    expect(t.tmux('pipe-pane', '-O', '-t', pane, `cat >> ${theirs}`).code).toBe(0);
    expect(await control!.watchPane(pane)).toBe('foreign');
    const waiting = control!.waitOutput(pane, 400);
    typeLine(pane, 'echo for-them');
    expect(await waiting).toBe(false);
    await waitFor('their pipe still gets output', () => existsSync(theirs) && readFileSync(theirs, 'utf8').includes('for-them'));
    await control!.close();
    expect(t.tmux('display-message', '-p', '-t', pane, '#{pane_pipe}').stdout.trim()).toBe('1');
  });

  it('a dead pane is not piped; waitOutput on it just times out', async () => {
    const pane = deadPane('gone');
    await waitFor('dead', () => t.tmux('display-message', '-p', '-t', pane, '#{pane_dead}').stdout.trim() === '1');
    expect(await control!.watchPane(pane)).toBe('dead');
    expect(await control!.waitOutput(pane, 100)).toBe(false);
    expect(t.tmux('display-message', '-p', '-t', pane, '#{pane_pipe}').stdout.trim()).toBe('0');
  });

  it('a watch ends when its pane is killed, and an unknown pane just times out', async () => {
    const pane = newPane('short');
    expect(await control!.watchPane(pane)).toBe('active');
    expect(t.tmux('kill-session', '-t', '=short').code).toBe(0);
    await waitFor('watch ended', async () => (await control!.watchPane(pane)) === 'ended');
    expect(await control!.waitOutput('%987654', 100)).toBe(false);
    // The FIFO of the ended watch is gone.
    const dir = join(spool, readdirSync(spool)[0]!);
    await waitFor('fifo removed', () => readdirSync(dir).length === 0);
  });

  it('runs TmuxTransport unchanged: start a sh agent, send to it, read its status, without forking tmux', async () => {
    await control!.close();
    const counting = new CountingHost();
    const conf = shippedTmuxConf();
    // The service would have ensured the holder; here the forked transport does it on a fresh server.
    t.tmux('kill-server');
    await new TmuxTransport({ host: new LocalHost(), socket: { name: t.socket }, holderSession: HOLDER, configFile: conf }).ensureHolder();
    control = await connectControl({ local: counting, socket: { name: t.socket }, configFile: conf, session: HOLDER, spoolParent: spool });
    const tr = new TmuxTransport({ host: control, socket: { name: t.socket }, holderSession: HOLDER, configFile: conf });
    const agent = {
      name: 'shell-agent', host: 'local', runtime: 'shell', profile: 'shell', launcher: 'direct',
      argv: ['sh'], env: { PS1: '$ ' }, workingDirectory: spool, readyTimeoutMs: 15_000,
    };
    expect(await tr.start(agent, {})).toBe('started');
    await tr.waitReady(agent);
    const result = await tr.send('shell-agent', { from: { host: 'h', session: 'lead' }, toHost: 'h', body: 'echo over-control-$((6*7))', preamble: false }, {});
    expect(result.status).toBe('submitted');
    await waitFor('ran', async () => (await tr.tmux.captureHistory(result.paneId, 50)).includes('over-control-42'));
    const overview = await tr.overview(['shell-agent']);
    expect(overview.agents.find((a) => a.name === 'shell-agent')).toMatchObject({ state: 'idle', runtime: 'shell', paneId: result.paneId });
    // Tagged like a forked start would tag it (the options after new-session landed on the agent, not the holder).
    expect(t.tmux('show-options', '-p', '-t', result.paneId, '-v', '@mosaic_agent').stdout.trim()).toBe('shell-agent');
    expect(t.tmux('show-options', '-w', '-t', result.paneId, '-v', 'remain-on-exit').stdout.trim()).toBe('on');
    // Every tmux command went over the one control client: the local host never forked tmux.
    expect(counting.tmuxCalls).toBe(0);
    expect(t.tmux('list-clients', '-F', '#{client_control_mode}').stdout.trim()).toBe('1');
  });

  it('delivers to the sim REPL over the connection with a true verdict, and its echo of a paste wakes waitOutput', async () => {
    await control!.close();
    const conf = shippedTmuxConf();
    t.tmux('kill-server');
    await new TmuxTransport({ host: new LocalHost(), socket: { name: t.socket }, holderSession: HOLDER, configFile: conf }).ensureHolder();
    const counting = new CountingHost();
    control = await connectControl({ local: counting, socket: { name: t.socket }, configFile: conf, session: HOLDER, spoolParent: spool });
    const tr = new TmuxTransport({ host: control, socket: { name: t.socket }, holderSession: HOLDER, configFile: conf });
    const log = join(spool, 'sim.jsonl');
    const agent = {
      name: 'sim-agent', host: 'local', runtime: 'sim', profile: 'sim', launcher: 'direct',
      argv: simArgs('sim-agent', log, { swallowMs: 150 }), env: {}, workingDirectory: spool, readyTimeoutMs: 15_000,
    };
    expect(await tr.start(agent, {})).toBe('started');
    await tr.waitReady(agent);
    const pane = (await tr.tmux.resolve('=sim-agent')).paneId;
    expect(await control!.watchPane(pane)).toBe('active');
    const mark = control!.outputMark(pane);
    await tr.tmux.loadAndPaste('probe', 'draft ünï', pane);
    expect(await control!.waitOutput(pane, 10_000, mark)).toBe(true);
    await tr.tmux.run(['send-keys', '-t', pane, 'C-u']);
    const result = await tr.send('sim-agent', { from: { host: 'h', session: 'lead' }, toHost: 'h', body: 'hello over one connection', preamble: true }, {});
    expect(result.status).toBe('submitted');
    await waitFor('submitted in the sim', () => readEvents(log).some((e) => e.kind === 'submit' && e.text === result.text));
    expect(counting.tmuxCalls).toBe(0);
  });
});
