// A sender that died mid-send leaves a record; `deliver` settles it from what the pane shows. The ledger's paste mark
// tells "pasted, then scrolled away or cleared" (never paste again) from "never pasted" (send it now).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCliJson, runProcess } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';

let t: PrivateTmux;
let f: SimFleet;
const env = () => ({ HOME: t.home });
const json = (bin: 'fleet' | 'agent', args: string[]) => runCliJson(bin, [...args, '--roster', f.roster], { env: env() });

/** A sender process that records the message, starts its attempt, marks how far it got (about to paste; the REPL
 *  drew it), and dies, pasting nothing. `agoMs` backdates the marks. */
async function crashedSender(session: string, body: string, got: 'nothing' | 'pasted' | 'shown', agoMs = 0): Promise<void> {
  const to = { host: hostname().split('.')[0], session };
  const script = `
    const { Ledger } = await import(${JSON.stringify(join(ROOT, 'dist', 'ledger', 'index.js'))});
    const ledger = new Ledger(Ledger.defaultDir(process.env));
    const r = ledger.create({ from: { host: 'h', session: 'o' }, to: ${JSON.stringify(to)}, body: ${JSON.stringify(body)}, preamble: '[h:o -> ${to.host}:${session}]', text: '[h:o -> ${to.host}:${session}] ' + ${JSON.stringify(body)} });
    ledger.startAttempt(r.id);
    const Real = Date;
    globalThis.Date = class extends Real { constructor(...a) { super(...(a.length ? a : [Real.now() - ${agoMs}])); } static now() { return Real.now() - ${agoMs}; } };
    if (${JSON.stringify(got)} !== 'nothing') ledger.markPasting(r.id);
    if (${JSON.stringify(got)} === 'shown') ledger.markShown(r.id);
    process.kill(process.pid, 'SIGKILL');`;
  const r = await runProcess(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env() } });
  expect(r.code).toBe(null);
}

beforeEach(() => {
  t = privateTmux('mft-recover-flow');
});
afterEach(() => t.cleanup());

describe('deliver after a sender died', () => {
  it('a message marked pasted but nowhere on screen is unconfirmed and never pasted again; one never pasted is sent once', async () => {
    f = simFleet(t, [{ name: 'alpha' }]);
    await json('fleet', ['start']);
    await crashedSender('alpha', 'pasted then scrolled away', 'shown');
    await crashedSender('alpha', 'died before pasting', 'nothing');
    const log = await json('agent', ['log']);
    expect((log.doc.messages as Array<{ status: string; crashed?: boolean; attempts: Array<{ pasted?: boolean }> }>).map((m) => [m.status, m.crashed, m.attempts[0]?.pasted ?? false])).toEqual([
      ['sending', true, true],
      ['sending', true, false],
    ]);
    const d = await json('fleet', ['deliver']);
    expect(d.code, d.stderr).toBe(0);
    expect((d.doc.delivered as Array<{ outcome: string }>).map((x) => x.outcome).sort()).toEqual(['submitted', 'unconfirmed']);
    const bodies = f.submits('alpha').map((e) => e.text?.replace(/^\[[^\]]+\] /, ''));
    expect(bodies).toEqual(['died before pasting']);
    const after = (await json('agent', ['log'])).doc.messages as Array<{ body: string; status: string }>;
    expect(after.find((m) => m.body === 'pasted then scrolled away')?.status).toBe('unconfirmed');
    // A second pass changes nothing: both are final.
    expect((await json('fleet', ['deliver'])).doc.delivered).toEqual([]);
    expect(f.submits('alpha')).toHaveLength(1);
  });

  it('a paste its sender never saw drawn holds the pane for a minute: deliver and send paste nothing behind it; then it is unconfirmed', async () => {
    f = simFleet(t, [{ name: 'alpha' }, { name: 'bravo' }]);
    await json('fleet', ['start']);
    await crashedSender('alpha', 'pasted, never drawn', 'pasted');
    await crashedSender('alpha', 'died before pasting', 'nothing');
    // The same on bravo, but 61 s ago: the hold is over.
    await crashedSender('bravo', 'pasted long ago, never drawn', 'pasted', 61_000);
    const d = await json('fleet', ['deliver']);
    expect(d.code, d.stderr).toBe(0);
    // alpha: nothing settled, nothing sent (order is kept behind the unread paste); bravo: settled as before.
    expect(d.doc.delivered.map((x: { to: string; outcome: string }) => [x.to.split(':')[1], x.outcome])).toEqual([['bravo', 'unconfirmed']]);
    const send = await json('agent', ['send', 'alpha', '-m', 'must wait', '--from', 'h:o']);
    expect(send.code).toBe(2);
    expect(send.doc).toMatchObject({ status: 'held' });
    expect(send.doc.detail).toMatch(/^an earlier message of ours is still unread: \S+, pasted \d+ s ago/);
    const queued = await json('agent', ['send', 'alpha', '-m', 'queued behind it', '--from', 'h:o', '--queue']);
    expect([queued.code, queued.doc.status]).toEqual([0, 'pending']);
    expect(f.submits('alpha')).toEqual([]);
    const log = (await json('agent', ['log'])).doc.messages as Array<{ body: string; status: string }>;
    expect(Object.fromEntries(log.map((m) => [m.body, m.status]))).toMatchObject({
      'pasted, never drawn': 'sending',
      'died before pasting': 'sending',
      'must wait': 'held',
      'queued behind it': 'pending',
      'pasted long ago, never drawn': 'unconfirmed',
    });
  });
});

describe('a REPL frozen with our paste unread in its terminal', () => {
  it('the next send is held instead of being pasted behind it; once the REPL wakes, both arrive apart, each once', async () => {
    f = simFleet(t, [{ name: 'alpha' }]);
    await json('fleet', ['start']);
    const status = await json('fleet', ['status']);
    const pid = (status.doc.agents as Array<{ name: string; pid: number }>).find((a) => a.name === 'alpha')!.pid;
    // The sim's own freeze (tmux itself resumes a pane's program stopped by SIGSTOP): it stops reading its terminal.
    process.kill(pid, 'SIGUSR1');
    try {
      const first = await json('agent', ['send', 'alpha', '-m', 'first, read late', '--from', 'h:o', '--timeout', '1']);
      expect(first.doc).toMatchObject({ status: 'unconfirmed' });
      const record = ((await json('agent', ['log'])).doc.messages as Array<{ body: string; attempts: Array<{ pasted?: boolean; shown?: boolean; unread?: boolean }> }>).find((m) => m.body === 'first, read late')!;
      expect(record.attempts.at(-1)).toMatchObject({ pasted: true, unread: true });
      expect(record.attempts.at(-1)!.shown).toBeUndefined();
      const second = await json('agent', ['send', 'alpha', '-m', 'second, held', '--from', 'h:o']);
      expect([second.code, second.doc.status]).toEqual([2, 'held']);
    } finally {
      process.kill(pid, 'SIGUSR2');
    }
    // Awake, the REPL reads the first paste and draws it in its box; the next send finishes it, then pastes its own.
    await waitFor('the REPL to read the first paste', () => f.events('alpha').some((e) => e.kind === 'paste' && e.text?.includes('first, read late')), 20_000);
    const third = await json('agent', ['send', 'alpha', '-m', 'third, after the wake', '--from', 'h:o']);
    expect([third.code, third.doc.status], third.stderr).toEqual([0, 'submitted']);
    const bodies = f.submits('alpha').map((e) => e.text?.replace(/^\[[^\]]+\] /, ''));
    expect(bodies).toEqual(['first, read late', 'third, after the wake']);
    const log = (await json('agent', ['log'])).doc.messages as Array<{ body: string; status: string }>;
    expect(log.find((m) => m.body === 'first, read late')?.status).toBe('submitted');
  });
});
