// Verdicts against ground truth on input areas no profile knows. The sim draws four layouts the runtime profiles have
// never seen (and its own Claude-like one), and logs what it really did with every paste and Enter: each verdict is
// checked against that log. Idle, busy, never-submits, wedged, half-typed by a person, Enter turned into a newline,
// the first Enter ignored, and our own text left in the box by a sender that died.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local.js';
import { Tmux } from '../../src/tmux/client.js';
import { deliver, type DeliverOptions, type HintStore } from '../../src/delivery/deliver.js';
import type { ReadHints } from '../../src/evidence/reading.js';
import { genericProfile } from '../../src/runtimes/generic.js';
import { simProfile } from '../../src/runtimes/sim.js';
import { headerOf } from '../../src/sim/render.js';
import type { RuntimeProfile } from '../../src/runtimes/types.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { readEvents, SIM } from '../helpers/sim.js';

const LAYOUTS = ['claude', 'rounded', 'bare', 'double', 'dashed'] as const;
type Layout = (typeof LAYOUTS)[number];

interface Agent {
  name: string;
  paneId: string;
  pid: number;
  log: string;
  submits(): Array<{ text?: string; queued?: boolean }>;
  pastes(): number;
}

let t: PrivateTmux;
let tmux: Tmux;
let seq = 0;

beforeAll(() => {
  t = privateTmux('mft-lay');
  tmux = new Tmux(new LocalHost(), { name: t.socket });
});
afterAll(() => t.cleanup());

async function agent(layout: Layout, args: string[] = []): Promise<Agent> {
  const name = `${layout}${(seq += 1)}`;
  const log = join(mkdtempSync(join(tmpdir(), 'mft-lay-')), `${name}.jsonl`);
  const argv = [process.execPath, SIM, '--name', name, '--layout', layout, '--log', log, '--placeholder', 'Ask me anything', ...args];
  const r = t.tmux('new-session', '-d', '-P', '-F', '#{pane_id} #{pane_pid}', '-s', name, '-x', '120', '-y', '40', '--', ...argv);
  if (r.code !== 0) throw new Error(r.stderr);
  const [paneId, pid] = r.stdout.trim().split(' ') as [string, string];
  await waitFor(`${name} drawn`, () => t.tmux('capture-pane', '-p', '-t', paneId).stdout.includes(headerOf(layout, name)));
  const events = () => readEvents(log);
  return { name, paneId, pid: Number(pid), log, submits: () => events().filter((e) => e.kind === 'submit'), pastes: () => events().filter((e) => e.kind === 'paste').length };
}

/** What a transport keeps about one pane between sends. */
function memoryFor(): HintStore {
  let hints: ReadHints | undefined;
  return { recall: () => hints, learn: (h) => (hints = h) };
}

/** The profile a sender would use: `sim` knows only the claude layout; the others are read by the cursor. */
function profileFor(layout: Layout): RuntimeProfile {
  return layout === 'claude' ? simProfile : genericProfile;
}

async function send(a: Agent, layout: Layout, body: string, options: Partial<DeliverOptions> = {}) {
  const pane = (await tmux.listPanes()).find((p) => p.paneId === a.paneId)!;
  return deliver(tmux, pane, body, profileFor(layout), { verifyTimeoutMs: 4_000, holdMs: 300, ...options });
}

describe.each(LAYOUTS)('the %s layout', (layout) => {
  it('idle: submitted, and the REPL took it exactly once', async () => {
    const a = await agent(layout, ['--swallow-ms', '150']);
    const body = `[h:lead -> h:${a.name}] idle message with a tab\there`;
    const out = await send(a, layout, body);
    expect(out.status).toBe('submitted');
    expect(a.submits()).toEqual([expect.objectContaining({ text: body, queued: false })]);
    expect(a.pastes()).toBe(1);
  });

  it('busy: queued, and the REPL ran it after its turn', async () => {
    const a = await agent(layout, ['--busy-ms', '3000']);
    expect((await send(a, layout, `[h:l -> h:${a.name}] first`)).status).toBe('submitted');
    const second = await send(a, layout, `[h:l -> h:${a.name}] second while busy`);
    expect(second.status).toBe('queued');
    expect(a.submits().map((s) => s.queued)).toEqual([false, true]);
  });

  it('never submits: not a success, pasted once, nothing submitted', async () => {
    const a = await agent(layout, ['--ignore-enter']);
    const out = await send(a, layout, `[h:l -> h:${a.name}] into a deaf REPL`, { verifyTimeoutMs: 1_500 });
    expect(['draft', 'unconfirmed']).toContain(out.status);
    expect(a.submits()).toHaveLength(0);
    expect(a.pastes()).toBe(1);
  });

  it('wedged before the paste: unconfirmed, no Enter pressed; after it wakes the text sits unsent in the box', async () => {
    const a = await agent(layout);
    process.kill(a.pid, 'SIGUSR1');
    await waitFor('wedged', () => readEvents(a.log).some((e) => e.kind === 'wedge'));
    const out = await send(a, layout, `[h:l -> h:${a.name}] into a frozen REPL`, { verifyTimeoutMs: 1_500 });
    expect(out.status).toBe('unconfirmed');
    expect(out.enters).toBe(0);
    process.kill(a.pid, 'SIGUSR2');
    await waitFor('resumed', () => a.pastes() === 1);
    expect(a.submits()).toHaveLength(0);
  });

  it("a person's half-typed text: held, nothing pasted into it", async () => {
    const a = await agent(layout);
    t.tmux('send-keys', '-t', a.paneId, '-l', 'half typed by a person');
    await waitFor('typed', () => t.tmux('capture-pane', '-p', '-t', a.paneId).stdout.includes('half typed by a person'));
    const out = await send(a, layout, `[h:l -> h:${a.name}] automated`);
    expect(out.status).toBe('held');
    expect(a.pastes()).toBe(0);
    expect(a.submits()).toHaveLength(0);
  });

  it('an Enter that becomes a newline, and an ignored first Enter: submitted once, never twice', async () => {
    const a = await agent(layout, ['--enter-newline-ms', '60']);
    const out = await send(a, layout, `[h:l -> h:${a.name}] newline first`);
    expect(out.status).toBe('submitted');
    const b = await agent(layout, ['--ignore-enters', '1']);
    const out2 = await send(b, layout, `[h:l -> h:${b.name}] second enter counts`);
    expect(out2.status).toBe('submitted');
    expect(a.submits()).toHaveLength(1);
    expect(a.submits()[0]!.text!.trimEnd()).toBe(`[h:l -> h:${a.name}] newline first`);
    expect(b.submits()).toHaveLength(1);
  });

  it('our own text left in the box by a dead sender is finished, not merged with the next message', async () => {
    const a = await agent(layout);
    const memory = memoryFor();
    // An earlier send proved how this pane's empty input area looks.
    const first = `[h:l -> h:${a.name}] an earlier message`;
    expect((await send(a, layout, first, { memory })).status).toBe('submitted');
    const orphan = `[h:l -> h:${a.name}] pasted by a sender that died`;
    t.tmux('set-buffer', '-b', 'orphan', orphan);
    t.tmux('paste-buffer', '-p', '-d', '-b', 'orphan', '-t', a.paneId);
    await waitFor('orphan drawn', () => a.pastes() === 2);
    const settled: Array<[string, string]> = [];
    const out = await send(a, layout, `[h:l -> h:${a.name}] the next message`, {
      memory,
      orphans: () => [{ id: 'm-orphan', text: orphan }],
      onOrphan: (id, v) => settled.push([id, v.status]),
    });
    expect(settled).toEqual([['m-orphan', 'submitted']]);
    expect(out.status).toBe('submitted');
    expect(a.submits().map((s) => s.text)).toEqual([first, orphan, `[h:l -> h:${a.name}] the next message`]);
  });
});

describe('a REPL that hides the terminal cursor and draws its own (as Ink-based REPLs do)', () => {
  it.each(['rounded', 'bare', 'dashed'] as const)('%s: submitted when idle, held on a person\'s text', async (layout) => {
    const a = await agent(layout, ['--drawn-cursor', '--swallow-ms', '150']);
    const body = `[h:l -> h:${a.name}] read by the drawn cursor`;
    expect((await send(a, layout, body)).status).toBe('submitted');
    expect(a.submits().map((s) => s.text)).toEqual([body]);
    t.tmux('send-keys', '-t', a.paneId, '-l', 'typed by a person');
    await waitFor('typed', () => t.tmux('capture-pane', '-p', '-t', a.paneId).stdout.includes('typed by a person'));
    expect((await send(a, layout, `[h:l -> h:${a.name}] second`)).status).toBe('held');
    expect(a.pastes()).toBe(1);
  });
});
