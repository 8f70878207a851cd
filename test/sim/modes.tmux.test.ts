// The sim's layouts and modes in a real tmux pane: what tmux really shows, and what the sim's log says it did.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAYOUT_NAMES, headerOf, type LayoutName } from '../../src/sim/render.js';
import { waitFor } from '../helpers/tmux.js';
import { WAIT_MS, assertBuilt, closeAll, openSim, type SimPane } from './pane.js';

beforeAll(assertBuilt);
afterEach(closeAll);

const HEADER: Record<LayoutName, string> = {
  claude: 'sim · t1 · session 1',
  rounded: '✦ Sim CLI · t1 · session 1',
  bare: 'simrepl · t1 · session 1',
  double: '== t1 :: session 1 ==',
  dashed: '[dashed] t1 / session 1',
};
it('names each layout header as headerOf() says', () => {
  for (const layout of LAYOUT_NAMES) expect(headerOf(layout, 't1')).toBe(HEADER[layout]);
});
const BUSY: Record<LayoutName, RegExp> = {
  claude: /✻ Working… \(\d+s\)/,
  rounded: /Thinking… \(esc to cancel, \d+s\)/,
  bare: /^\[busy \d+s\]$/m,
  double: /\[working \d+s\]/,
  dashed: /^\(thinking…\)$/m,
};
const QUEUED: Record<LayoutName, RegExp> = {
  claude: /Press up to edit queued messages/,
  rounded: /Queued: second/,
  bare: /^queued: 1$/m,
  double: /queued: 1/,
  dashed: /^pending> second$/m,
};
const USER: Record<LayoutName, string> = { claude: '❯ ', rounded: '> ', bare: '>>> ', double: '» ', dashed: 'you: ' };
const LAYOUTS = Object.keys(HEADER) as LayoutName[];

const open = (layout: LayoutName, args: string[] = [], size?: { columns: number; rows: number }): Promise<SimPane> =>
  openSim(['--name', 't1', '--layout', layout, ...args], (s) => s.includes(HEADER[layout]), size);

/** Let `ms` pass: only for proving that something did NOT happen (there is no event to poll for). */
const letPass = (ms: number) => {
  const until = Date.now() + ms;
  return waitFor(`${ms} ms to pass`, () => Date.now() >= until, ms + WAIT_MS);
};

describe.each(LAYOUTS)('layout %s in tmux', (layout) => {
  it('shows a grey placeholder, the draft at the cursor, busy, queued, and the transcript; logs it all', async () => {
    const sim = await open(layout, ['--placeholder', 'Ask anything', '--busy-ms', '2000']);
    const idle = sim.screenWithAttributes();
    expect(idle).toContain('\x1b[38;5;244mAsk anything');
    expect(idle).not.toContain('\x1b[2m');
    expect(sim.lines()[sim.cursor().row]).toContain('Ask anything');

    sim.paste('first 🚀 漢字 e\u0301');
    await waitFor('draft on the cursor row', () => sim.lines()[sim.cursor().row]?.includes('first 🚀 漢字 e\u0301'), WAIT_MS);
    expect(sim.screen()).not.toContain('Ask anything');
    expect(sim.kinds('paste').map((r) => r.text)).toEqual(['first 🚀 漢字 e\u0301']);

    sim.keys('Enter');
    await waitFor('busy marker', () => BUSY[layout].test(sim.screen()), WAIT_MS);
    expect(sim.lines()).toContain(`${USER[layout]}first 🚀 漢字 e\u0301`);
    expect(sim.lines()[0]).toBe(HEADER[layout]);

    sim.paste('second', { enter: true });
    await waitFor('queued submit', () => sim.kinds('submit').find((r) => r.queued), WAIT_MS);
    await waitFor('queue indicator', () => QUEUED[layout].test(sim.screen()), WAIT_MS);

    await waitFor('both turns done', () => sim.screen().includes('ok t1 received 6 chars') && !BUSY[layout].test(sim.screen()), WAIT_MS);
    expect(sim.kinds('submit').map((r) => [r.text, r.queued])).toEqual([
      ['first 🚀 漢字 e\u0301', false],
      ['second', true],
    ]);
    expect(sim.kinds('enter').map((r) => r.action)).toEqual(['submitted', 'submitted']);
    expect(sim.kinds('turn').map((r) => [r.text, r.queued])).toEqual([
      ['first 🚀 漢字 e\u0301', false],
      ['second', true],
    ]);
    expect(sim.lines()).toContain(`${USER[layout]}second`);
    expect(QUEUED[layout].test(sim.screen())).toBe(false);
    expect(sim.screen()).toContain('Ask anything');
  });

  it('keeps the header on screen and the cursor in the input area after wide, combining and joined text', async () => {
    const size = { columns: 31, rows: 14 };
    const sim = await open(layout, [], size);
    const bodies = ['🚀'.repeat(40), `x${'漢字'.repeat(20)}`, 'e\u0301'.repeat(70), `y${'👨\u200d👩\u200d👧'.repeat(20)}`, `\t🚀${'x🚀'.repeat(15)}`];
    for (const [i, body] of bodies.entries()) {
      sim.paste(body);
      await waitFor(`paste ${i}`, () => sim.kinds('paste').length === i + 1, WAIT_MS);
      await waitFor(`draft ${i} drawn`, () => sim.lines()[0] === HEADER[layout] && sim.cursor().row > 0, WAIT_MS);
      sim.keys('Enter');
      await waitFor(`reply ${i}`, () => sim.kinds('submit').length === i + 1, WAIT_MS);
      await waitFor(`frame after reply ${i}`, () => sim.screen().includes(`received ${[...body].length} chars`), WAIT_MS);
      const lines = sim.lines();
      expect(lines[0]).toBe(HEADER[layout]);
      expect(sim.cursor().row).toBeLessThan(size.rows);
    }
    expect(sim.kinds('submit').map((r) => r.text)).toEqual(bodies);
  });
});

describe('sim modes in tmux', () => {
  it('never submits with --ignore-enter on a layout no profile knows, and logs each Enter as ignored', async () => {
    const sim = await open('dashed', ['--ignore-enter']);
    sim.paste('never taken', { enter: true });
    await waitFor('enter record', () => sim.kinds('enter').length === 1, WAIT_MS);
    sim.keys('Enter');
    await waitFor('second enter record', () => sim.kinds('enter').length === 2, WAIT_MS);
    expect(sim.kinds('enter').map((r) => [r.action, r.text])).toEqual([
      ['ignored', 'never taken'],
      ['ignored', 'never taken'],
    ]);
    expect(sim.kinds('submit')).toEqual([]);
    await waitFor('draft kept at the cursor', () => sim.lines()[sim.cursor().row] === 'you: never taken', WAIT_MS);
  });

  it('turns an Enter right behind a paste into a newline (--enter-newline-ms), then submits on a later Enter', async () => {
    // A wide window: on a loaded machine the Enter right behind the paste can reach the sim hundreds of ms later.
    const sim = await open('rounded', ['--enter-newline-ms', '2000']);
    sim.paste('two rows', { enter: true });
    const newline = await waitFor('newline record', () => sim.kinds('enter')[0], WAIT_MS);
    expect(newline).toMatchObject({ action: 'newline', text: 'two rows' });
    await waitFor('empty second draft row at the cursor', () => {
      const lines = sim.lines();
      const row = sim.cursor().row;
      return lines[row - 1]?.startsWith('│ > two rows') && /^│ +│$/.test(lines[row] ?? '');
    }, WAIT_MS);
    const paste = sim.kinds('paste')[0]!;
    await waitFor('newline window to pass', () => Date.now() > paste.ts + 2100, WAIT_MS);
    sim.keys('Enter');
    await waitFor('submit', () => sim.kinds('submit').length === 1, WAIT_MS);
    expect(sim.kinds('submit')[0]!.text).toBe('two rows\n');
    expect(sim.kinds('enter').map((r) => r.action)).toEqual(['newline', 'submitted']);
  });

  it('ignores the first Enter after each paste (--ignore-enters 1)', async () => {
    const sim = await open('double', ['--ignore-enters', '1']);
    sim.paste('needs two', { enter: true });
    await waitFor('ignored enter', () => sim.kinds('enter').length === 1, WAIT_MS);
    expect(sim.kinds('enter')[0]).toMatchObject({ action: 'ignored', text: 'needs two' });
    // The log is written before the frame reaches tmux: wait for the draw.
    await waitFor('draft kept at the cursor', () => /^║ needs two +║$/.test(sim.lines()[sim.cursor().row] ?? ''), WAIT_MS);
    sim.keys('Enter');
    await waitFor('submit', () => sim.kinds('submit').length === 1, WAIT_MS);
    expect(sim.kinds('enter').map((r) => r.action)).toEqual(['ignored', 'submitted']);
    await waitFor('transcript row', () => sim.lines().includes('» needs two'), WAIT_MS);
  });

  it('stops reading and drawing on SIGUSR1 and takes the buffered input as one burst on SIGUSR2', async () => {
    const sim = await open('double');
    sim.signal('SIGUSR1');
    await waitFor('wedge record', () => sim.kinds('wedge')[0], WAIT_MS);
    const before = sim.screen();
    sim.paste('sent while wedged', { enter: true });
    await letPass(700);
    expect(sim.kinds('paste')).toEqual([]);
    expect(sim.kinds('enter')).toEqual([]);
    expect(sim.screen()).toBe(before);

    sim.signal('SIGUSR2');
    await waitFor('submit after resume', () => sim.kinds('submit')[0], WAIT_MS);
    expect(sim.records().map((r) => r.kind)).toEqual(['start', 'wedge', 'resume', 'paste', 'enter', 'submit', 'turn']);
    expect(sim.kinds('wedge')[0]).toMatchObject({ reason: 'SIGUSR1' });
    expect(sim.kinds('resume')[0]).toMatchObject({ reason: 'SIGUSR2', dropped: false });
    expect(sim.kinds('submit')[0]!.text).toBe('sent while wedged');
    await waitFor('transcript row', () => sim.lines().includes('» sent while wedged'), WAIT_MS);
  });

  it('finishes no turn while wedged: nothing is logged between wedge and resume', async () => {
    const sim = await open('dashed', ['--busy-ms', '1500']);
    sim.paste('busy one', { enter: true });
    await waitFor('turn starts', () => sim.kinds('turn')[0], WAIT_MS);
    sim.signal('SIGUSR1');
    await waitFor('wedge record', () => sim.kinds('wedge')[0], WAIT_MS);
    const busy = sim.screen();
    expect(busy).toContain('state: busy');
    await letPass(2000); // past the turn's end: a running sim would be idle by now
    expect(sim.screen()).toBe(busy);
    expect(sim.records().at(-1)!.kind).toBe('wedge');
    sim.signal('SIGUSR2');
    await waitFor('idle after resume', () => sim.screen().includes('state: idle'), WAIT_MS);
    expect(sim.records().map((r) => r.kind).slice(-2)).toEqual(['wedge', 'resume']);
  });

  it('discards what arrived while wedged with --wedge-drop, and takes later input normally', async () => {
    const sim = await open('rounded', ['--wedge-drop']);
    sim.signal('SIGUSR1');
    await waitFor('wedge record', () => sim.kinds('wedge')[0], WAIT_MS);
    sim.paste('lost forever', { enter: true });
    sim.keys('-l', 'typed too');
    await letPass(700);
    sim.signal('SIGUSR2');
    await waitFor('resume record', () => sim.kinds('resume')[0], WAIT_MS);
    expect(sim.kinds('resume')[0]).toMatchObject({ dropped: true });
    sim.paste('after resume', { enter: true });
    await waitFor('submit', () => sim.kinds('submit')[0], WAIT_MS);
    expect(sim.kinds('paste').map((r) => r.text)).toEqual(['after resume']);
    expect(sim.kinds('submit').map((r) => r.text)).toEqual(['after resume']);
    expect(sim.screen()).not.toContain('lost forever');
    expect(sim.screen()).not.toContain('typed too');
  });

  it('wedges by itself after N submitted messages (--wedge-after) and resumes on SIGUSR2', async () => {
    const sim = await open('bare', ['--wedge-after', '1']);
    sim.paste('one', { enter: true });
    await waitFor('wedge record', () => sim.kinds('wedge')[0], WAIT_MS);
    expect(sim.kinds('wedge')[0]).toMatchObject({ reason: 'wedge-after 1' });
    await waitFor('first message drawn', () => sim.lines().includes('>>> one'), WAIT_MS);
    sim.paste('two', { enter: true });
    await letPass(700);
    expect(sim.kinds('paste').map((r) => r.text)).toEqual(['one']);
    expect(sim.screen()).not.toContain('two');
    sim.signal('SIGUSR2');
    await waitFor('second submit', () => sim.kinds('submit').length === 2, WAIT_MS);
    expect(sim.kinds('submit').map((r) => r.text)).toEqual(['one', 'two']);
    await waitFor('second message drawn', () => sim.lines().includes('>>> two'), WAIT_MS);
  });

  it('shows a half-drawn frame without its input area for a while with --split-draw-ms', async () => {
    const sim = await open('double', ['--split-draw-ms', '1500'], { columns: 60, rows: 10 });
    await waitFor('first full frame', () => sim.screen().includes('[idle] ctrl-d quit'), WAIT_MS);
    sim.paste('half', { enter: true });
    await waitFor('submit', () => sim.kinds('submit')[0], WAIT_MS);
    const half = await waitFor('half-drawn frame', () => {
      const screen = sim.screen();
      return screen.includes('» half') && !screen.includes('╔') && screen;
    }, WAIT_MS);
    expect(half).not.toContain('ctrl-d quit');
    await waitFor('whole frame', () => sim.screen().includes('[idle] ctrl-d quit') && sim.screen().includes('» half'), WAIT_MS);
  });

  it('hides the terminal cursor and draws its own in reverse video with --drawn-cursor', async () => {
    const sim = await open('rounded', ['--drawn-cursor', '--placeholder', 'Ask anything'], { columns: 60, rows: 12 });
    const flag = () => sim.display('#{cursor_flag}');
    expect(flag()).toBe('0');
    const lines = sim.lines();
    const lastDrawn = lines.findLastIndex((l) => l.trim() !== '');
    expect(lines[lastDrawn]).toContain('~/work/sim-project');
    expect(sim.cursor()).toEqual({ row: lastDrawn, col: 0 });
    const styled = () => sim.screenWithAttributes().split('\n');
    const row = lines.findIndex((l) => l.includes('Ask anything'));
    expect(styled()[row]).toMatch(/\x1b\[[0-9;]*7[0-9;]*m(\x1b\[[0-9;]*m)*A/);
    sim.paste('typed');
    await waitFor('reverse cell after the draft', () => /│ > typed\x1b\[[0-9;]*7[0-9;]*m /.test(styled().find((l) => l.includes('typed')) ?? ''), WAIT_MS);
    expect(flag()).toBe('0');
  });

  it('keeps a tab as a tab in the log and draws it to the next 8-column stop', async () => {
    const sim = await open('claude');
    sim.paste('a\tb', { enter: true });
    await waitFor('submit', () => sim.kinds('submit')[0], WAIT_MS);
    expect(sim.kinds('paste')[0]!.text).toBe('a\tb');
    expect(sim.kinds('submit')[0]!.text).toBe('a\tb');
    await waitFor('transcript row', () => sim.lines().includes('❯ a     b'), WAIT_MS);
  });
});
