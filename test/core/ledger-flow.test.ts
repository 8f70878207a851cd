import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';

let t: PrivateTmux;
let f: SimFleet;
const env = () => ({ HOME: t.home });
const cli = (bin: 'fleet' | 'agent', args: string[]) => runCli(bin, [...args, '--roster', f.roster], { env: env() });
const json = (bin: 'fleet' | 'agent', args: string[]) => runCliJson(bin, [...args, '--roster', f.roster], { env: env() });
const bodies = (name: string) => f.submits(name).map((e) => e.text?.replace(/^\[[^\]]+\] /, ''));

beforeEach(() => {
  t = privateTmux('mft-ledger');
});
afterEach(() => t.cleanup());

describe('deliver when ready, hold what cannot be delivered', () => {
  it('--when-idle waits for the running turn and lands after it, not queued', async () => {
    f = simFleet(t, [{ name: 'worker', busyMs: 2500 }]);
    await json('fleet', ['start']);
    expect((await json('agent', ['send', 'worker', '-m', 'long turn', '--from', 'h:o'])).doc.status).toBe('submitted');
    const t0 = Date.now();
    const r = await json('agent', ['send', 'worker', '-m', 'after the turn', '--from', 'h:o', '--when-idle', '--wait', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.status).toBe('submitted');
    expect(Date.now() - t0).toBeGreaterThan(1500);
    expect(f.submits('worker').map((e) => e.queued)).toEqual([false, false]);
  });

  it('--when-idle reports held when the turn outlasts --wait, and pastes nothing', async () => {
    f = simFleet(t, [{ name: 'slow', busyMs: 8000 }]);
    await json('fleet', ['start']);
    await json('agent', ['send', 'slow', '-m', 'very long turn', '--from', 'h:o']);
    const r = await json('agent', ['send', 'slow', '-m', 'impatient', '--from', 'h:o', '--when-idle', '--wait', '1']);
    expect(r.code).toBe(2);
    expect(r.doc.status).toBe('held');
    expect(bodies('slow')).toEqual(['very long turn']);
  });

  it('--queue to a dead agent is pending, then delivered exactly once after start revives it', async () => {
    f = simFleet(t, [{ name: 'phoenix' }]);
    await json('fleet', ['start']);
    const pid = Number(t.tmux('list-panes', '-t', '=phoenix:', '-F', '#{pane_pid}').stdout.trim());
    process.kill(pid, 'SIGKILL');
    await waitFor('phoenix dead', () => t.tmux('list-panes', '-t', '=phoenix:', '-F', '#{pane_dead}').stdout.trim() === '1');
    const q = await json('agent', ['send', 'phoenix', '-m', 'when you are back', '--from', 'h:o', '--queue']);
    expect(q.code, q.stderr).toBe(0);
    expect(q.doc.status).toBe('pending');
    const q2 = await json('agent', ['send', 'phoenix', '-m', 'and then this', '--from', 'h:o', '--queue']);
    expect(q2.doc.status).toBe('pending');
    // Nothing can be delivered while it is dead.
    expect((await json('fleet', ['deliver'])).doc.delivered).toEqual([]);
    await json('fleet', ['start', 'phoenix']);
    const d = await json('fleet', ['deliver']);
    expect(d.doc.delivered.map((x: { id: string; outcome: string }) => [x.id, x.outcome])).toEqual([
      [q.doc.id, 'submitted'],
      [q2.doc.id, 'submitted'],
    ]);
    expect((await json('fleet', ['deliver'])).doc.delivered).toEqual([]);
    expect(bodies('phoenix')).toEqual(['when you are back', 'and then this']);
    const log = await json('agent', ['log', 'phoenix']);
    expect(log.doc.messages.map((m: { status: string }) => m.status)).toEqual(['submitted', 'submitted']);
  });

  it('--queue to an idle agent delivers at once; an expired message is never delivered', async () => {
    f = simFleet(t, [{ name: 'idle' }, { name: 'gone' }]);
    await json('fleet', ['start', 'idle']);
    expect((await json('agent', ['send', 'idle', '-m', 'right now', '--from', 'h:o', '--queue'])).doc.status).toBe('submitted');
    const q = await json('agent', ['send', 'gone', '-m', 'too late', '--from', 'h:o', '--queue', '--ttl', '0.2']);
    expect(q.doc.status).toBe('pending');
    const expiresAt = Date.now() + 300;
    await waitFor('ttl passed', () => Date.now() > expiresAt);
    await json('fleet', ['start', 'gone']);
    const d = await json('fleet', ['deliver']);
    expect(d.doc.expired).toEqual([q.doc.id]);
    expect(f.submits('gone')).toEqual([]);
  });
});

describe('a sender killed mid-send', () => {
  it('leaves a record log shows as crashed, and deliver finishes it without a duplicate', async () => {
    f = simFleet(t, [{ name: 'victim', swallowMs: 2500 }]);
    await json('fleet', ['start']);
    const child = spawn(process.execPath, [BIN.agent, 'send', 'victim', '-m', 'interrupted message', '--from', 'h:o', '--roster', f.roster], {
      env: { ...process.env, ...env() },
      stdio: 'ignore',
    });
    const pane = t.tmux('list-panes', '-t', '=victim:', '-F', '#{pane_id}').stdout.trim();
    await waitFor('body pasted into the box', () => t.tmux('capture-pane', '-p', '-t', pane).stdout.includes('interrupted message'));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const log = await json('agent', ['log', 'victim']);
    expect(log.doc.messages).toHaveLength(1);
    expect(log.doc.messages[0]).toMatchObject({ status: 'sending', crashed: true });
    const human = await cli('agent', ['log', 'victim']);
    expect(human.stdout).toMatch(/crashed/);
    const d = await json('fleet', ['deliver']);
    expect(d.doc.delivered).toHaveLength(1);
    expect(['submitted', 'queued']).toContain(d.doc.delivered[0].outcome);
    await waitFor('submitted once', () => f.submits('victim').length === 1);
    expect(bodies('victim')).toEqual(['interrupted message']);
    expect((await json('fleet', ['deliver'])).doc.delivered).toEqual([]);
    expect((await json('agent', ['log', 'victim'])).doc.messages[0].status).toMatch(/submitted|queued/);
  });
});

describe('inbox and reply', () => {
  it('an agent reads its inbox from inside its own session and replies with the preamble flipped', async () => {
    f = simFleet(t, [{ name: 'alpha' }, { name: 'ops', extra: { runtime: 'shell', command: ['sh'] } }]);
    await json('fleet', ['start', 'alpha']);
    await json('fleet', ['start', 'ops', '--no-wait']);
    const host = hostname().split('.')[0];
    expect((await json('agent', ['send', 'ops', '-m', 'please report status', '--from', `${host}:alpha`, '--runtime', 'shell'])).code).toBe(0);
    // Inside ops' own pane: $TMUX tells the CLI who it is.
    const out = join(f.dir, 'inbox.json');
    const cmd = `HOME=${t.home} ${process.execPath} ${BIN.agent} inbox -n 1 --json --roster ${f.roster} > ${out}; HOME=${t.home} ${process.execPath} ${BIN.agent} reply -m 'all green' --roster ${f.roster} > ${out}.reply`;
    t.tmux('send-keys', '-t', '=ops:', '-l', cmd);
    t.tmux('send-keys', '-t', '=ops:', 'Enter');
    await waitFor('reply written', () => existsSync(`${out}.reply`) && readFileSync(`${out}.reply`, 'utf8').includes('->'), 20_000);
    const inbox = JSON.parse(readFileSync(out, 'utf8'));
    expect(inbox.agent.session).toBe('ops');
    expect(inbox.messages.map((m: { text: string }) => m.text)).toEqual([`[${host}:alpha -> ${host}:ops] please report status`]);
    expect(f.submits('alpha').map((e) => e.text)).toEqual([`[${host}:ops -> ${host}:alpha] all green`]);
  });

  it('inbox outside tmux asks for --agent', async () => {
    f = simFleet(t, [{ name: 'alpha' }]);
    const r = await cli('agent', ['inbox']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--agent NAME/);
  });
});

describe('broadcast', () => {
  it('delivers to every target in parallel with one record each, never to the sender, and fails loudly', async () => {
    f = simFleet(t, [{ name: 'lead', class: 'orchestrator' }, { name: 'r1', class: 'reviewer' }, { name: 'r2', class: 'reviewer' }, { name: 'c1' }]);
    await json('fleet', ['start']);
    const byClass = await json('agent', ['broadcast', '--class', 'reviewer', '-m', 'freeze merges', '--from', 'h:lead']);
    expect(byClass.code, byClass.stderr).toBe(0);
    expect(byClass.doc.results.map((r: { agent: string; report: { status: string } }) => [r.agent, r.report.status])).toEqual([
      ['r1', 'submitted'],
      ['r2', 'submitted'],
    ]);
    const all = await json('agent', ['broadcast', '--all', '-m', 'standup', '--from', 'h:lead']);
    expect(all.doc.results.map((r: { agent: string }) => r.agent)).toEqual(['r1', 'r2', 'c1']);
    expect(bodies('lead')).toEqual([]);
    expect(bodies('r1')).toEqual(['freeze merges', 'standup']);
    expect(bodies('c1')).toEqual(['standup']);
    const log = await json('agent', ['log', '--limit', '100']);
    expect(log.doc.messages.filter((m: { kind: string }) => m.kind === 'broadcast')).toHaveLength(5);
    await json('fleet', ['stop', 'c1']);
    const partial = await json('agent', ['broadcast', '--all', '-m', 'anyone?', '--from', 'h:lead']);
    expect(partial.code).toBe(6);
    expect(partial.doc.results.find((r: { agent: string }) => r.agent === 'c1').error).toMatch(/no session/);
  });
});
