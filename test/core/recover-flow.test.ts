// A sender that died mid-send leaves a record; `deliver` settles it from what the pane shows. The ledger's paste mark
// tells "pasted, then scrolled away or cleared" (never paste again) from "never pasted" (send it now).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCliJson, runProcess } from '../helpers/cli.js';
import { simFleet, type SimFleet } from '../helpers/fleet.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';

let t: PrivateTmux;
let f: SimFleet;
const env = () => ({ HOME: t.home });
const json = (bin: 'fleet' | 'agent', args: string[]) => runCliJson(bin, [...args, '--roster', f.roster], { env: env() });

/** A sender process that records the message, starts its attempt, optionally marks the paste, and dies (pasting nothing). */
async function crashedSender(session: string, body: string, marked: boolean): Promise<void> {
  const to = { host: hostname().split('.')[0], session };
  const script = `
    const { Ledger } = await import(${JSON.stringify(join(ROOT, 'dist', 'ledger', 'index.js'))});
    const ledger = new Ledger(Ledger.defaultDir(process.env));
    const r = ledger.create({ from: { host: 'h', session: 'o' }, to: ${JSON.stringify(to)}, body: ${JSON.stringify(body)}, preamble: '[h:o -> ${to.host}:${session}]', text: '[h:o -> ${to.host}:${session}] ' + ${JSON.stringify(body)} });
    ledger.startAttempt(r.id);
    if (${marked}) ledger.markPasting(r.id);
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
    await crashedSender('alpha', 'pasted then scrolled away', true);
    await crashedSender('alpha', 'died before pasting', false);
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
});
