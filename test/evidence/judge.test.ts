import { describe, expect, it } from 'vitest';
import { parseCapture } from '../../src/tmux/screen.js';
import { readPane, type Reading } from '../../src/evidence/reading.js';
import { judgeTaken, pasteShown, steadyEnough } from '../../src/evidence/judge.js';
import { squash } from '../../src/evidence/text.js';
import { genericProfile } from '../../src/runtimes/generic.js';
import { simProfile } from '../../src/runtimes/sim.js';
import { geminiProfile } from '../../src/runtimes/gemini.js';
import type { RuntimeProfile } from '../../src/runtimes/types.js';

// The verdict rule, attacked: `submitted`/`queued` only with positive evidence (our text seen in the input area,
// then that area shown empty while the transcript or a busy/queued marker moved). Nothing else may pass.

const TEXT = '[dev:lead -> dev:coder] please rebase onto main and rerun the flaky suite';

function reading(rows: string[], cursorY: number | undefined, profile: RuntimeProfile = genericProfile, extra: { pid?: number; dead?: boolean } = {}): Reading {
  const screen = parseCapture(rows.join('\n'), cursorY);
  return readPane({ screen, dead: extra.dead ?? false, inMode: false, pid: extra.pid ?? 100 }, profile);
}

const box = (inner: string) => ['╭────────────────────────────────────╮', `│ > ${inner} │`, '╰────────────────────────────────────╯', '  ~/work  some-model'];
const baseline = reading(['welcome', '', ...box('')], 3);
const pasted = reading(['welcome', '', ...box(TEXT)], 3);

describe('judgeTaken on a layout no profile knows', () => {
  it('sees the paste in the input area', () => {
    expect(pasteShown(baseline, pasted, TEXT, [])).toBe(true);
    expect(pasteShown(baseline, baseline, TEXT, [])).toBe(false);
  });

  it('proves a submission: the box is empty again and the message moved to the transcript', () => {
    const now = reading(['welcome', '', `> ${TEXT}`, 'ok, rebasing', ...box('')], 5);
    expect(judgeTaken(baseline, pasted, now, TEXT, [])).toMatchObject({ status: 'submitted' });
  });

  it('says queued only with a queued indication while busy', () => {
    const busy = reading(['welcome', '(thinking…) esc to cancel', ...box('')], 3);
    const pastedBusy = reading(['welcome', '(thinking…) esc to cancel', ...box(TEXT)], 3);
    const queued = reading(['welcome', '(thinking…) esc to cancel', 'queued: 1 message', ...box('')], 4);
    expect(judgeTaken(busy, pastedBusy, queued, TEXT, [])).toMatchObject({ status: 'queued' });
  });

  it('rejects the screens that fooled the old rule', () => {
    const cases: Record<string, Reading> = {
      'a cleared, half-drawn frame': reading(['', '', '', '', '', '', ''], 0),
      'only the top of the next frame': reading(['welcome', '', `> ${TEXT}`], 2),
      'the box gone (a dialog)': reading(['Do you trust this folder?', '1. Yes', '2. No'], 2),
      'the text still in the box': reading(['welcome', 'new row', ...box(TEXT)], 3),
      'the box emptied but nothing else moved': reading(['welcome', '', ...box('')], 3),
      'another program in the pane (restarted)': reading(['fresh start', '', ...box('')], 3, genericProfile, { pid: 101 }),
      'a dead pane': reading(['welcome', `> ${TEXT}`, ...box('')], 3, genericProfile, { dead: true }),
      'a cursor off the box': reading(['welcome', `> ${TEXT}`, 'reply', ...box('')], 2),
      'no cursor': reading(['welcome', `> ${TEXT}`, ...box('')], undefined),
      'somebody else typing after': reading(['welcome', `> ${TEXT}`, ...box('half typed by a person')], 3),
    };
    for (const [name, now] of Object.entries(cases)) expect(judgeTaken(baseline, pasted, now, TEXT, []), name).toBeNull();
  });
});

// A small deterministic generator: no dependency, and a failing seed reproduces.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['', ' ', '❯ ', '> ', '>>> ', '│ ', ' │', '──────────', '╭────╮', '╰────╯', 'you: ', '$ ', 'queued', '(thinking…)', 'esc to cancel', '✻ Working…', 'hello', '\x1b[2mdim hint\x1b[0m', '\x1b[38;5;244mgrey\x1b[0m', '\x1b[7m \x1b[0m', TEXT.slice(0, 30), TEXT.slice(30), TEXT];

function randomScreen(next: () => number): { rows: string[]; cursor: number | undefined } {
  const n = 1 + Math.floor(next() * 12);
  const rows = Array.from({ length: n }, () => {
    const k = Math.floor(next() * 4);
    return Array.from({ length: k }, () => PIECES[Math.floor(next() * PIECES.length)]!).join('');
  });
  const cursor = next() < 0.1 ? undefined : Math.floor(next() * (n + 1)) - (next() < 0.05 ? 1 : 0);
  return { rows, cursor };
}

describe('judgeTaken on random and adversarial screens', () => {
  for (const profile of [genericProfile, simProfile]) {
    it(`never finds a success without the evidence (${profile.name} profile, 5000 screens)`, () => {
      const next = rng(profile.name === 'generic' ? 7 : 11);
      let successes = 0;
      for (let i = 0; i < 5000; i += 1) {
        const b = randomScreen(next);
        const p = randomScreen(next);
        const n = randomScreen(next);
        const pid = next() < 0.05 ? 101 : 100;
        const base = reading(b.rows, b.cursor, profile);
        const past = reading(p.rows, p.cursor, profile);
        const now = reading(n.rows, n.cursor, profile, { pid, dead: next() < 0.03 });
        const verdict = judgeTaken(base, past, now, TEXT, profile.pastePlaceholders);
        if (!verdict) continue;
        successes += 1;
        // Rule 1, checked from the raw rows rather than through the readers.
        expect(now.dead, `seed ${i}`).toBe(false);
        expect(pid, `seed ${i}`).toBe(100);
        expect(n.rows.some((r) => r.trim() !== ''), `seed ${i}`).toBe(true);
        expect(now.input, `seed ${i}`).toBe('');
        expect(squash(now.input ?? 'x').includes(squash(TEXT).slice(-24)), `seed ${i}`).toBe(false);
        const moved = now.transcript !== past.transcript || (now.busy && !past.busy) || (now.queued && !past.queued);
        expect(moved, `seed ${i}`).toBe(true);
        if (verdict.status === 'queued') expect(n.rows.some((r) => /queued|pending|Queued|QUEUED|Steering|Follow-up|Press up/.test(r)), `seed ${i}`).toBe(true);
        if (now.reader === 'cursor') {
          const row = n.rows[n.cursor!] ?? '';
          // The cursor row must show an empty input area: a prompt or frame with nothing typed, or exactly the baseline's row.
          const cleaned = row.replace(/\x1b\[[0-9;]*m/g, '');
          const typed = cleaned.replace(/^[\s│]*(>>>|[>❯$]|[A-Za-z][\w-]{0,15}[>:](?= |$)|\S*[$#%](?= |$))?/u, '').replace(/[\s│]+$/u, '');
          const sameAsBaseline = base.input === '' && now.cursorRow === base.cursorRow;
          expect(typed === '' || /grey|dim hint|^\s*$/.test(typed) || sameAsBaseline, `seed ${i}: ${JSON.stringify(row)}`).toBe(true);
        }
      }
      // The generator does produce successes, so the assertions above ran.
      expect(successes).toBeGreaterThan(0);
    });
  }
});

describe('steadyEnough: when a screen the profile cannot read is taken as ready', () => {
  // Gemini CLI 0.61.0 started with CI=true, as captured in a tmux pane: it prints a warning, the cursor goes to the
  // row below, and about a second later (longer under load) it prints "No input provided via stdin" and exits 42.
  const headless = ['Warning: True color (24-bit) support not detected. Using a terminal with true color enabled will result in a better visual experience.', '', ''];

  it('never takes a known REPL whose cursor sits on a blank row, however long it stood still', () => {
    const a = reading(headless, 1, geminiProfile);
    const b = reading(headless, 1, geminiProfile);
    expect(b.profileMissed).toBe(true);
    expect(b.ready).toBe(true); // read by the cursor it looks ready: steadyEnough is what must refuse it
    expect(steadyEnough(a, b, 60_000)).toBe(false);
  });

  it('takes a known REPL whose unreadable screen shows a prompt at the cursor once it stood still', () => {
    const rows = ['Some future layout', '', '> ', ''];
    const a = reading(rows, 2, geminiProfile);
    const b = reading(rows, 2, geminiProfile);
    expect(b.profileMissed).toBe(true);
    expect(steadyEnough(a, b, 60_000)).toBe(true);
    expect(steadyEnough(a, b, 100)).toBe(false); // not before it stood still long enough
  });

  it('still takes a blank pane of a program no profile knows (it may draw nothing)', () => {
    const a = reading(['', '', ''], 0);
    const b = reading(['', '', ''], 0);
    expect(steadyEnough(a, b, 60_000)).toBe(true);
  });
});
