import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';
import { runCli } from '../helpers/cli.js';
import { startSim, type RunningSim } from '../helpers/sim.js';

// Separate sender processes, as in a real fleet: the per-pane flock is what keeps them apart.
const SENDERS = 8;
const MESSAGES = 25;
let t: PrivateTmux;

beforeEach(() => {
  t = privateTmux('mft-conc');
});
afterEach(() => t.cleanup());

const bodyOf = (s: number, i: number) => `sender ${s} message ${i}\nsecond line of ${s}/${i}\nthird line ${'#'.repeat(i % 7)}`;

async function sendAll(target: (s: number) => string, sender: number): Promise<string[]> {
  const statuses: string[] = [];
  for (let i = 0; i < MESSAGES; i += 1) {
    const r = await runCli('agent', ['send', '-L', t.socket, target(sender), '--from', `h:s${sender}`, '--to-host', 'h', '--json', '-m', bodyOf(sender, i)], {
      env: { HOME: t.home },
    });
    statuses.push(r.code === 0 ? JSON.parse(r.stdout).status : `exit ${r.code}: ${r.stderr.trim()}`);
  }
  return statuses;
}

function expectExactlyOnce(sim: RunningSim, expected: string[]): void {
  const got = sim.submits().map((e) => e.text);
  expect(got.length).toBe(expected.length);
  expect([...got].sort()).toEqual([...expected].sort());
}

describe('concurrent senders', () => {
  it(`${SENDERS} senders x ${MESSAGES} messages into one pane: each arrives exactly once, whole`, async () => {
    const sim = await startSim(t, 'hub');
    const statuses = await Promise.all(Array.from({ length: SENDERS }, (_, s) => sendAll(() => 'hub', s)));
    expect(statuses.flat().filter((s) => s !== 'submitted')).toEqual([]);
    const expected = Array.from({ length: SENDERS }, (_, s) => Array.from({ length: MESSAGES }, (_, i) => `[h:s${s} -> h:hub] ${bodyOf(s, i)}`)).flat();
    expectExactlyOnce(sim, expected);
    // The ledger saw every message exactly once, consistent, none torn.
    const log = await runCli('agent', ['log', 'hub', '--json', '--limit', '1000'], { env: { HOME: t.home } });
    const records = JSON.parse(log.stdout).messages as { id: string; status: string; text: string }[];
    expect(records).toHaveLength(SENDERS * MESSAGES);
    expect(new Set(records.map((r) => r.id)).size).toBe(SENDERS * MESSAGES);
    expect(records.every((r) => r.status === 'submitted')).toBe(true);
    expect(records.map((r) => r.text).sort()).toEqual([...expected].sort());
    // Per sender, messages keep their order.
    for (let s = 0; s < SENDERS; s += 1) {
      const mine = sim.submits().map((e) => e.text!).filter((x) => x.startsWith(`[h:s${s} -> `));
      expect(mine).toEqual(Array.from({ length: MESSAGES }, (_, i) => `[h:s${s} -> h:hub] ${bodyOf(s, i)}`));
    }
  }, 240_000);

  it(`${SENDERS} senders each into its own pane at the same time: nothing crosses over`, async () => {
    const sims = await Promise.all(Array.from({ length: SENDERS }, (_, s) => startSim(t, `lane${s}`)));
    const statuses = await Promise.all(Array.from({ length: SENDERS }, (_, s) => sendAll((x) => `lane${x}`, s)));
    expect(statuses.flat().filter((s) => s !== 'submitted')).toEqual([]);
    sims.forEach((sim, s) => {
      expect(sim.submits().map((e) => e.text)).toEqual(Array.from({ length: MESSAGES }, (_, i) => `[h:s${s} -> h:lane${s}] ${bodyOf(s, i)}`));
    });
  }, 240_000);
});
