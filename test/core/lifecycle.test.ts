import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';

let t: PrivateTmux;
let f: SimFleet;
const cli = (bin: 'fleet' | 'agent', args: string[]) => runCli(bin, [...args, '--roster', f.roster], { env: { HOME: t.home } });
const json = (bin: 'fleet' | 'agent', args: string[]) => runCliJson(bin, [...args, '--roster', f.roster], { env: { HOME: t.home } });
const panes = () =>
  Object.fromEntries(
    t
      .tmux('list-panes', '-a', '-F', '#{session_name} #{pane_id} #{pane_pid} #{pane_dead}')
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '))
      .map(([s, id, pid, dead]) => [s, { id, pid: Number(pid), dead: dead === '1' }]),
  );
const serverPid = () => Number(t.tmux('display-message', '-p', '#{pid}').stdout.trim());
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeEach(() => {
  t = privateTmux('mft-life');
  f = simFleet(t, [{ name: 'alpha', class: 'orchestrator' }, { name: 'bravo' }, { name: 'charlie', class: 'reviewer' }]);
});
afterEach(() => t.cleanup());

describe('fleet lifecycle on a real tmux server', () => {
  it('starts the holder first, then every agent ready; a second start changes nothing', async () => {
    const first = await json('fleet', ['start']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.doc.holder).toBe('created');
    expect(first.doc.agents.map((a: { name: string; outcome: string; ready: boolean }) => [a.name, a.outcome, a.ready])).toEqual([
      ['alpha', 'started', true],
      ['bravo', 'started', true],
      ['charlie', 'started', true],
    ]);
    // The holder is the oldest session: it created (owns) the server.
    const oldest = t.tmux('list-sessions', '-F', '#{session_created} #{session_id} #{session_name}').stdout.trim().split('\n').sort()[0];
    expect(oldest).toMatch(/ _holder$/);
    const before = panes();
    const second = await json('fleet', ['start']);
    expect(second.doc.holder).toBe('present');
    expect(second.doc.agents.every((a: { outcome: string }) => a.outcome === 'already-running')).toBe(true);
    expect(panes()).toEqual(before);
  });

  it('the server it creates ignores a hostile ~/.tmux.conf', async () => {
    await json('fleet', ['start', '--holder-only']);
    expect(t.tmux('show-options', '-gv', 'base-index').stdout.trim()).toBe('0');
    expect(t.tmux('show-options', '-gv', 'prefix').stdout.trim()).toBe('C-b');
    expect(t.tmux('list-panes', '-t', '=_holder:', '-F', '#{window_index}.#{pane_index}').stdout.trim()).toBe('0.0');
  });

  it('restart recycles only the named agent: server pid and siblings untouched', async () => {
    await json('fleet', ['start']);
    const server = serverPid();
    const before = panes();
    const r = await json('fleet', ['restart', 'bravo']);
    expect(r.code, r.stderr).toBe(0);
    const after = panes();
    expect(serverPid()).toBe(server);
    expect(after._holder).toEqual(before._holder);
    expect(after.alpha).toEqual(before.alpha);
    expect(after.charlie).toEqual(before.charlie);
    expect(after.bravo.id).toBe(before.bravo.id); // respawned in place
    expect(after.bravo.pid).not.toBe(before.bravo.pid);
    expect(alive(before.bravo.pid)).toBe(false);
  });

  it('stop stops exactly the named agent and leaves none of its processes behind', async () => {
    await json('fleet', ['start']);
    const before = panes();
    const r = await json('fleet', ['stop', 'alpha']);
    expect(r.doc.agents).toEqual([{ name: 'alpha', result: 'stopped' }]);
    const after = panes();
    expect(after.alpha).toBeUndefined();
    expect(after.bravo).toEqual(before.bravo);
    expect(after.charlie).toEqual(before.charlie);
    await waitFor('alpha process gone', () => !alive(before.alpha.pid));
    const all = await json('fleet', ['stop', '--all']);
    expect(all.doc.server).toBe('stopped');
    expect(t.tmux('list-sessions').code).not.toBe(0);
    await waitFor('all agent processes gone', () => !alive(before.bravo.pid) && !alive(before.charlie.pid));
  });

  it('shows a crashed agent as dead with its exit status, and start revives it in place', async () => {
    await json('fleet', ['start']);
    const before = panes();
    process.kill(before.charlie.pid, 'SIGKILL');
    await waitFor('charlie dead', () => panes().charlie?.dead === true);
    const status = await json('fleet', ['status']);
    const charlie = status.doc.agents.find((a: { name: string }) => a.name === 'charlie');
    expect(charlie.state).toBe('dead');
    // tmux 3.3 reports neither status nor signal for a SIGKILLed program; newer tmux gives the signal.
    expect(charlie.exitSignal === null || charlie.exitSignal === 9).toBe(true);
    const agentStatus = await json('agent', ['status', 'charlie']);
    expect(agentStatus.code).toBe(1);
    const send = await cli('agent', ['send', 'charlie', '-m', 'anyone?']);
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/mosaic-fleet start charlie/);
    const revive = await json('fleet', ['start', 'charlie']);
    expect(revive.doc.agents[0]).toMatchObject({ name: 'charlie', outcome: 'revived', ready: true });
    expect(panes().charlie.id).toBe(before.charlie.id);
    expect((await cli('agent', ['send', 'charlie', '-m', 'back?', '--from', 'h:t'])).code).toBe(0);
    expect(f.submits('charlie').map((e) => e.text)).toContain('[h:t -> ' + f.submits('charlie')[0]!.text!.split(' -> ')[1]);
  });

  it('reports the exit status of an agent whose program exited', async () => {
    // Exits at once: remain-on-exit is set in the same tmux command list, so even this fast a death stays visible.
    f = simFleet(t, [{ name: 'quitter', extra: { command: ['sh', '-c', 'exit 3'] } }]);
    await json('fleet', ['start', '--no-wait']);
    await waitFor('quitter dead', () => panes().quitter?.dead === true);
    // tmux records the exit status when it reaps the program, which under load can trail the pane's death.
    const status = await waitFor('the exit status in status', async () => {
      const s = await json('fleet', ['status']);
      return s.doc.agents[0]?.exitStatus !== null ? s : null;
    }, 20_000, 200);
    expect(status.doc.agents[0]).toMatchObject({ name: 'quitter', state: 'dead', exitStatus: 3, launcher: 'command' });
    const human = await cli('fleet', ['status']);
    expect(human.stdout).toMatch(/quitter .*dead \(exit 3\)/);
  });

  it('status lists roster agents that are missing and sessions the roster does not know', async () => {
    await json('fleet', ['start', 'alpha']);
    t.tmux('new-session', '-d', '-s', 'stray', '--', 'sleep', '300');
    const status = await json('fleet', ['status']);
    expect(status.code).toBe(0);
    const byName = Object.fromEntries(status.doc.agents.map((a: { name: string }) => [a.name, a]));
    expect(byName.alpha).toMatchObject({ state: 'idle', inRoster: true, runtime: 'sim', class: 'orchestrator', launcher: 'direct' });
    expect(byName.bravo).toMatchObject({ state: 'missing', inRoster: true });
    expect(byName.stray).toMatchObject({ inRoster: false });
    expect(status.doc.holder).toBe('running');
    expect(typeof status.doc.serverPid).toBe('number');
    expect(status.doc.socketPath).toMatch(new RegExp(`${t.socket}$`));
  });

  it('status tells busy from idle in one pass', async () => {
    f = simFleet(t, [{ name: 'worker', busyMs: 5000 }, { name: 'lazy' }]);
    await json('fleet', ['start']);
    expect((await cli('agent', ['send', 'worker', '-m', 'long task', '--from', 'h:t'])).code).toBe(0);
    const status = await json('fleet', ['status']);
    const state = Object.fromEntries(status.doc.agents.map((a: { name: string; state: string }) => [a.name, a.state]));
    expect(state).toEqual({ worker: 'busy', lazy: 'idle' });
  });

  it('reset sends the reset command, confirms the fresh conversation, then the kickstart', async () => {
    await json('fleet', ['start', 'bravo']);
    expect((await cli('agent', ['send', 'bravo', '-m', 'old task', '--from', 'h:t'])).code).toBe(0);
    const r = await json('agent', ['reset', 'bravo', '--from', 'h:orchestrator', '--var', 'ticket=ENG-7', '--kickstart', 'fresh start for ENG-7']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc).toMatchObject({ agent: 'bravo', method: 'command', command: '/new', confirmed: true });
    expect(r.doc.kickstart.status).toBe('submitted');
    const events = f.events('bravo').filter((e) => e.kind === 'submit' || e.kind === 'command');
    expect(events.map((e) => [e.kind, e.session, e.text?.replace(/^\[[^\]]+\] /, '')])).toEqual([
      ['submit', 1, 'old task'],
      ['command', 2, '/new'],
      ['submit', 2, 'fresh start for ENG-7'],
    ]);
  });

  it('reset renders the kickstart template with the agent and --var values', async () => {
    f = simFleet(t, [{ name: 'delta', extra: { kickstart_template: 'You are {{name}} ({{class}}) on socket {{socket}}; ticket {{ticket}}.' } }]);
    await json('fleet', ['start']);
    const r = await json('agent', ['reset', 'delta', '--clear', '--var', 'ticket=ENG-9', '--from', 'h:o']);
    expect(r.code, r.stderr).toBe(0);
    expect(f.submits('delta').map((e) => e.text)).toEqual([`[h:o -> ${r.doc.kickstart.to.host}:delta] You are delta (implementer) on socket ${t.socket}; ticket ENG-9.`]);
    const bad = await json('agent', ['reset', 'delta', '--from', 'h:o']);
    expect(bad.code).toBe(3);
    expect(bad.doc.error.message).toMatch(/\{\{ticket\}\}/);
  });

  it('start --kickstart sends each agent it started its rendered kickstart once ready, and only those', async () => {
    f = simFleet(t, [{ name: 'kilo', extra: { kickstart_template: 'You are {{name}}, the {{class}}.' } }, { name: 'lima', class: 'reviewer', extra: { kickstart_template: 'You are {{name}}, the {{class}}.' } }]);
    await json('fleet', ['start', 'kilo']);
    const r = await json('fleet', ['start', '--kickstart', '--from', 'h:ops']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.kickstarts.map((k: { agent: string; report: { status: string } }) => [k.agent, k.report.status])).toEqual([['lima', 'submitted']]);
    expect(f.submits('lima').map((e) => e.text?.replace(/^\[[^\]]+\] /, ''))).toEqual(['You are lima, the reviewer.']);
    expect(f.submits('kilo')).toEqual([]);
  });

  it('a reset that does not take is reported, and no kickstart is sent', async () => {
    f = simFleet(t, [{ name: 'stubborn', extra: { env: { MOSAIC_SIM_IGNORE_ENTER: '1' } } }]);
    await json('fleet', ['start']);
    const r = await json('agent', ['reset', 'stubborn', '--from', 'h:o', '--kickstart', 'must not arrive']);
    expect(r.code).toBe(2);
    expect(r.doc).toMatchObject({ agent: 'stubborn', confirmed: false, kickstart: null });
    expect(f.events('stubborn').filter((e) => e.kind === 'command' || e.kind === 'submit')).toEqual([]);
    const human = await cli('agent', ['reset', 'stubborn', '--from', 'h:o']);
    expect(human.stdout).toMatch(/NOT confirmed/);
    expect(human.stdout).toMatch(/no kickstart was sent/);
  });

  it('a runtime with no reset command is restarted, then kickstarted', async () => {
    f = simFleet(t, [{ name: 'plain', extra: { runtime: 'shell', command: ['sh'], kickstart_template: 'echo kickstarted-{{name}}' } }]);
    await json('fleet', ['start']);
    const pid = Number(t.tmux('list-panes', '-t', '=plain:', '-F', '#{pane_pid}').stdout.trim());
    const r = await json('agent', ['reset', 'plain', '--from', 'h:o']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc).toMatchObject({ method: 'restart', command: null, confirmed: true });
    expect(Number(t.tmux('list-panes', '-t', '=plain:', '-F', '#{pane_pid}').stdout.trim())).not.toBe(pid);
    await waitFor('kickstart ran in the fresh shell', () => t.tmux('capture-pane', '-p', '-t', '=plain:').stdout.includes('kickstarted-plain'));
  });

  it('tail --follow prints new lines as they appear, until stopped', async () => {
    await json('fleet', ['start', 'alpha']);
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [BIN.agent, 'tail', 'alpha', '-n', '5', '--follow', '--roster', f.roster], { env: { ...process.env, HOME: t.home, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('initial tail', () => out.includes('? for shortcuts'));
    await cli('agent', ['send', 'alpha', '-m', 'followed line', '--from', 'h:t']);
    await waitFor('new line followed', () => out.includes('followed line'), 15_000);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
  });

  it('attach resolves the exact session and pane; without a terminal it says how', async () => {
    await json('fleet', ['start', 'alpha']);
    const p = panes().alpha;
    const sessionId = t.tmux('list-panes', '-t', p.id, '-F', '#{session_id}').stdout.trim();
    const printed = await cli('agent', ['attach', 'alpha', '--print']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout.trim()).toBe(`tmux -L ${t.socket} attach-session -t '${sessionId}' ';' select-pane -t ${p.id}`);
    const noTty = await cli('agent', ['attach', 'alpha']);
    expect(noTty.code).toBe(3);
    expect(noTty.stderr).toMatch(/attach needs a terminal/);
    expect((await cli('agent', ['attach', 'alph'])).code).toBe(1);
  });

  it('an unknown agent is a one-line error with a did-you-mean', async () => {
    const r = await cli('fleet', ['start', 'bravoo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no agent 'bravoo' in the roster/);
    expect(r.stderr).toMatch(/did you mean 'bravo'/);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('init prints every profile, writes the roster with its schema, and refuses to overwrite', async () => {
    for (const profile of ['minimal', 'demo', 'usc']) {
      const r = await runCli('fleet', ['init', '--profile', profile], { env: { HOME: t.home } });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^# yaml-language-server: \$schema=/);
    }
    const path = `${f.dir}/new/roster.yaml`;
    const w = await runCli('fleet', ['init', '--profile', 'demo', '--write', '--roster', path], { env: { HOME: t.home } });
    expect(w.code, w.stderr).toBe(0);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(`${f.dir}/new/roster.schema.json`)).toBe(true);
    const again = await runCli('fleet', ['init', '--profile', 'demo', '--write', '--roster', path], { env: { HOME: t.home } });
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already exists/);
    const forced = await runCli('fleet', ['init', '--profile', 'minimal', '--write', '--force', '--roster', path], { env: { HOME: t.home } });
    expect(forced.code).toBe(0);
    const roster = await runCli('agent', ['roster', '--json', '--roster', path], { env: { HOME: t.home } });
    expect(JSON.parse(roster.stdout).agents.map((a: { name: string }) => a.name)).toEqual(['mos-claude', 'coder0', 'coder1', 'rev0', 'secrev0', 'ultron']);
  });

  it('tail prints the last lines of the pane', async () => {
    await json('fleet', ['start', 'alpha']);
    await cli('agent', ['send', 'alpha', '-m', 'visible in the tail', '--from', 'h:t']);
    const r = await cli('agent', ['tail', 'alpha', '-n', '30']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('visible in the tail');
    expect(r.stdout.split('\n').length).toBeLessThanOrEqual(31);
  });
});
