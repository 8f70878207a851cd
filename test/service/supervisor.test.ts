// The supervisor on a real tmux server with sim agents: deaths are real exits (the sim's /exit, a wrapper's exit
// status, a shell that dies at once), revivals go through the real transport, records through the real ledger.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/core/context.js';
import { startFleet } from '../../src/core/fleet.js';
import { ledgerOf } from '../../src/core/ledger.js';
import { createSupervisor, type SupervisorEvent } from '../../src/service/supervisor.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { SIM } from '../helpers/sim.js';
import { runCliJson } from '../helpers/cli.js';

let t: PrivateTmux;
let f: SimFleet;
let ctx: Context;
let events: SupervisorEvent[];

/** The sim REPL under `sh`, which exits with `status` once the sim has quit (its /exit). */
const simThenExit = (status: number) => ['sh', '-c', `"$0" "$1"; exit ${status}`, process.execPath, SIM];
const pane = (name: string) => {
  const [id, pid, dead, status] = t.tmux('list-panes', '-t', `=${name}:`, '-F', '#{pane_id}|#{pane_pid}|#{pane_dead}|#{pane_dead_status}').stdout.trim().split('|');
  // tmux marks a pane dead a moment before it has collected the exit status: no status yet is null.
  return { id: id!, pid: Number(pid), dead: dead === '1', status: status ? Number(status) : null };
};
/** Quit the sim through its own input box (what a person typing /exit does): type it, and once it shows, press
 *  Enter (again, should the REPL have taken the first one as part of the typing) until the pane is dead. */
const quit = async (name: string) => {
  t.tmux('send-keys', '-t', `=${name}:`, '-l', '/exit');
  await waitFor(`/exit typed into ${name}`, () => t.tmux('capture-pane', '-p', '-t', `=${name}:`).stdout.includes('/exit'));
  let last = 0;
  await waitFor(`${name} dead`, () => {
    if (pane(name).dead) return true;
    if (Date.now() - last > 500) {
      t.tmux('send-keys', '-t', `=${name}:`, 'Enter');
      last = Date.now();
    }
    return false;
  });
};
/** Quit the sim and return the exit status tmux collected. tmux 3.3 now and then marks a pane dead without ever
 *  collecting its status (seen here in about 1 of 8 exits under load); such a pane is revived by hand and quit again,
 *  so the test starts from a death whose status is known. */
const exitCollected = async (name: string): Promise<number> => {
  for (let tries = 0; tries < 6; tries += 1) {
    await quit(name);
    const status = await waitFor(`${name}'s exit status`, () => pane(name).status !== null, 2_000).then(() => pane(name).status, () => null);
    if (status !== null) return status;
    await startFleet(ctx, [name]);
  }
  throw new Error(`tmux never collected an exit status for ${name}`);
};
const of = <K extends SupervisorEvent['kind']>(kind: K, agent?: string) =>
  events.filter((e): e is Extract<SupervisorEvent, { kind: K }> => e.kind === kind && (agent === undefined || ('agent' in e && e.agent === agent)));
const records = (agent: string) => ledgerOf(ctx).supervision.list({ agent });
const status = async () => {
  const r = await runCliJson('fleet', ['status', '--roster', f.roster], { env: { HOME: t.home } });
  expect(r.code, r.stderr).toBe(0);
  return Object.fromEntries((r.doc.agents as Array<{ name: string }>).map((a) => [a.name, a])) as unknown as Record<string, { restarts: number; givenUp: boolean; lastExit: { status: number | null; signal: number | null; at: string | null } | null; state: string }>;
};

async function setup(agents: Parameters<typeof simFleet>[1], hosts?: Record<string, unknown>): Promise<void> {
  f = simFleet(t, agents);
  if (hosts) writeFileSync(f.roster, stringify({ ...(parse(readFileSync(f.roster, 'utf8')) as object), hosts }));
  ctx = await new Context({ roster: f.roster }, { ...process.env, HOME: t.home }).prepare();
  events = [];
}
const supervisor = () => createSupervisor(ctx, { onEvent: (e) => events.push(e) });

beforeEach(() => {
  t = privateTmux('mft-sup');
});
afterEach(() => t.cleanup());

describe('supervisor on a real tmux server', () => {
  it('revives an on-failure agent in place after a non-zero exit, and re-sends the kickstart only when asked', async () => {
    await setup([
      { name: 'crashy', extra: { command: simThenExit(3), restart: { policy: 'on-failure', backoff_seconds: 0 } } },
      { name: 'kick', extra: { command: simThenExit(5), kickstart_template: 'hello {{name}}, you were revived', restart: { policy: 'on-failure', backoff_seconds: 0, kickstart: true } } },
    ]);
    const started = await startFleet(ctx, []);
    expect(started.agents.map((a) => [a.name, a.ready])).toEqual([['crashy', true], ['kick', true]]);
    const before = { crashy: pane('crashy'), kick: pane('kick') };
    expect(await Promise.all([exitCollected('crashy'), exitCollected('kick')])).toEqual([3, 5]);

    const sup = supervisor();
    await waitFor('both revived', async () => {
      await sup.tick();
      await sup.settle();
      return of('agent-revived').length === 2;
    }, 30_000);

    for (const name of ['crashy', 'kick'] as const) {
      const after = pane(name);
      expect(after.dead).toBe(false);
      expect(after.id).toBe(before[name].id); // the same pane, revived in place
      expect(after.pid).not.toBe(before[name].pid);
      expect(of('agent-exited', name)).toEqual([expect.objectContaining({ exitStatus: name === 'crashy' ? 3 : 5, exitSignal: null })]);
      expect(of('agent-revived', name)).toEqual([expect.objectContaining({ attempt: 1, delayMs: 0, outcome: 'ready', pid: after.pid })]);
      // The ledger holds the death, then the revival with its outcome and the new life's pid.
      const [exit, revive] = records(name);
      expect(exit).toMatchObject({ kind: 'exit', agent: name, host: 'local', exitStatus: name === 'crashy' ? 3 : 5 });
      expect(revive).toMatchObject({ kind: 'revive', attempt: 1, delayMs: 0, outcome: 'ready', pid: after.pid, life: exit!.life });
      expect(revive!.newLife).toBeGreaterThan(exit!.life!);
    }
    // The kickstart went to the revived REPL only where the roster asks for it.
    const kicked = f.submits('kick').filter((e) => e.text?.includes('hello kick, you were revived'));
    expect(kicked).toHaveLength(1);
    expect(records('kick')[1]!.kickstart).toBe('submitted');
    expect(of('agent-revived', 'kick')[0]!.kickstart).toBe('submitted');
    expect(f.submits('crashy').filter((e) => e.text !== '/exit')).toEqual([]);
    expect(records('crashy')[1]!.kickstart).toBeUndefined();
    expect(ledgerOf(ctx).list({ agent: 'kick' }).map((m) => [m.kind, m.status])).toEqual([['kickstart', 'submitted']]);

    const rows = await status();
    expect(rows.crashy).toMatchObject({ restarts: 1, givenUp: false, lastExit: { status: 3, signal: null, at: records('crashy')[0]!.at } });
    expect(rows.crashy!.state).not.toBe('dead');
  });

  it('backs off longer after each failure, gives up at the limit and records it; a start by hand begins a new streak', async () => {
    await setup([{ name: 'loop', extra: { command: ['sh', '-c', 'exit 7'], restart: { policy: 'on-failure', max_restarts: 3, window_seconds: 600, backoff_seconds: 0.1, max_backoff_seconds: 0.25 } } }]);
    await startFleet(ctx, [], { wait: false });
    await waitFor('loop dead', () => pane('loop').dead);
    const sup = supervisor();
    const stop = new AbortController();
    const running = sup.run(stop.signal, 20);
    await waitFor('the supervisor gives up', () => of('agent-given-up', 'loop').length === 1, 30_000);
    stop.abort();
    await running;

    // Order and the recorded waits: 100 ms, doubled to 200, capped at 250; then the limit.
    expect(of('agent-revived', 'loop').map((e) => [e.attempt, e.delayMs, e.outcome])).toEqual([
      [1, 100, 'exited'],
      [2, 200, 'exited'],
      [3, 250, 'exited'],
    ]);
    expect(of('agent-given-up', 'loop')).toEqual([expect.objectContaining({ restarts: 3, windowSeconds: 600 })]);
    // 7, or null when tmux 3.3 did not collect it (on-failure counts an unknown status as a failure).
    expect([7, null]).toContain(of('agent-given-up', 'loop')[0]!.exitStatus);
    const history = records('loop');
    expect(history.map((r) => r.kind)).toEqual(['exit', 'revive', 'exit', 'revive', 'exit', 'revive', 'exit', 'give-up']);
    // Each revival waited at least its backoff after the death it answered (lower bounds only).
    for (let i = 1; i < history.length; i += 2) {
      const [exit, next] = [history[i - 1]!, history[i]!];
      if (next.kind !== 'revive') continue;
      expect(next.life).toBe(exit.life);
      expect(Date.parse(next.at) - Date.parse(exit.at)).toBeGreaterThanOrEqual(next.delayMs!);
      expect(history[i + 1]!.life).toBe(next.newLife); // the revived life is the one that died next
    }

    // Given up: further passes leave it dead and record nothing more.
    const count = history.length;
    for (let i = 0; i < 3; i += 1) await sup.tick();
    await sup.settle();
    expect(records('loop')).toHaveLength(count);
    expect(pane('loop').dead).toBe(true);
    const rows = await status();
    expect(rows.loop).toMatchObject({ state: 'dead', restarts: 3, givenUp: true, lastExit: { status: history[6]!.exitStatus, signal: null, at: history[6]!.at } });

    // A person starts it again: a new life no revival made, so the streak starts over at attempt 1.
    const manual = await startFleet(ctx, ['loop'], { wait: false });
    expect(manual.agents[0]!.outcome).toBe('revived');
    await waitFor('the next revival', async () => {
      await sup.tick();
      await sup.settle();
      return of('agent-revived', 'loop').length === 4;
    }, 30_000);
    expect(of('agent-revived', 'loop')[3]).toMatchObject({ attempt: 1, delayMs: 100 });
  });

  it('leaves a never agent and a clean on-failure exit dead, while an always agent is revived after exit 0 and an on-failure one after a kill', async () => {
    await setup([
      { name: 'never', extra: { command: simThenExit(3) } },
      { name: 'clean', extra: { restart: { policy: 'on-failure', backoff_seconds: 0 } } },
      { name: 'again', extra: { restart: { policy: 'always', backoff_seconds: 0 } } },
      { name: 'killed', extra: { restart: { policy: 'on-failure', backoff_seconds: 0 } } },
    ]);
    await startFleet(ctx, []);
    const before = { never: pane('never'), clean: pane('clean'), again: pane('again'), killed: pane('killed') };
    expect(await Promise.all(['never', 'clean', 'again'].map(exitCollected))).toEqual([3, 0, 0]);
    process.kill(before.killed.pid, 'SIGKILL');
    await waitFor('killed dead', () => pane('killed').dead);

    const dying = { never: pane('never'), clean: pane('clean'), again: pane('again') };
    const sup = supervisor();
    await waitFor('again and killed revived', async () => {
      await sup.tick();
      await sup.settle();
      return of('agent-revived', 'again').length === 1 && of('agent-revived', 'killed').length === 1;
    }, 30_000);
    // The same passes saw the other two deaths (recorded) and left them alone.
    await sup.tick();
    await sup.settle();
    expect(of('agent-exited').map((e) => [e.agent, e.exitStatus]).filter(([a]) => a !== 'killed').sort()).toEqual([['again', 0], ['clean', 0], ['never', 3]]);
    // A kill is a failure: tmux 3.4+ reports the signal, 3.3 no status at all (counted as a failure too).
    expect(of('agent-exited', 'killed')).toEqual([expect.objectContaining({ exitStatus: null })]);
    expect(of('agent-revived').map((e) => e.agent).sort()).toEqual(['again', 'killed']);
    expect(pane('killed').dead).toBe(false);
    expect(of('agent-given-up')).toEqual([]);
    expect(pane('never')).toEqual({ ...dying.never, dead: true, status: 3 });
    expect(pane('clean')).toEqual({ ...dying.clean, dead: true, status: 0 });
    expect(pane('again').dead).toBe(false);
    expect(pane('again').pid).not.toBe(dying.again.pid);
    expect(records('never').map((r) => r.kind)).toEqual(['exit']);
    expect(records('clean').map((r) => r.kind)).toEqual(['exit']);

    const rows = await status();
    expect(rows.never).toMatchObject({ restarts: 0, givenUp: false, lastExit: { status: 3, signal: null, at: records('never')[0]!.at } });
    expect(rows.again).toMatchObject({ restarts: 1, lastExit: { status: 0, signal: null } });
  });

  it('skips a host it cannot reach, reports it once, and still revives the agents it can', async () => {
    await setup(
      [
        { name: 'here', extra: { restart: { policy: 'always', backoff_seconds: 0 } } },
        { name: 'away', extra: { host: 'down', restart: { policy: 'always', backoff_seconds: 0 } } },
      ],
      { down: { ssh: 'root@127.0.0.1', port: 1 } }, // nothing listens on port 1: connection refused
    );
    await startFleet(ctx, ['here']);
    const before = pane('here');
    await quit('here');
    await waitFor('here dead', () => pane('here').dead);
    const sup = supervisor();
    await waitFor('here revived', async () => {
      await sup.tick();
      await sup.settle();
      return of('agent-revived', 'here').length === 1;
    }, 30_000);
    await sup.tick();
    expect(of('agent-revived', 'here')[0]).toMatchObject({ outcome: 'ready', attempt: 1 });
    expect(pane('here').pid).not.toBe(before.pid);
    expect(of('host-unreachable')).toEqual([{ kind: 'host-unreachable', host: 'down', error: expect.any(String) }]);
    expect(records('away')).toEqual([]);
  });

  it('does not start a revival twice while one is in progress', async () => {
    await setup([{ name: 'slow', extra: { restart: { policy: 'always', backoff_seconds: 0 } } }]);
    await startFleet(ctx, []);
    // The revived sim draws nothing for 1.5 s, so the revival is still waiting for it when the next passes run.
    const roster = parse(readFileSync(f.roster, 'utf8')) as { agents: Array<{ env: Record<string, string> }> };
    roster.agents[0]!.env.MOSAIC_SIM_STARTUP_MS = '1500';
    writeFileSync(f.roster, stringify(roster));
    ctx = await new Context({ roster: f.roster }, { ...process.env, HOME: t.home }).prepare();
    await quit('slow');
    await waitFor('slow dead', () => pane('slow').dead);
    const sup = supervisor();
    await sup.tick();
    expect(sup.reviving()).toEqual(['local:slow']);
    await sup.tick();
    await sup.tick();
    await sup.settle();
    expect(sup.reviving()).toEqual([]);
    expect(of('agent-reviving', 'slow')).toHaveLength(1);
    expect(of('agent-revived', 'slow')).toEqual([expect.objectContaining({ outcome: 'ready' })]);
    expect(records('slow').map((r) => r.kind)).toEqual(['exit', 'revive']);
  });
});
