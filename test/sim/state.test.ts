import { describe, expect, it } from 'vitest';
import type { InputEvent } from '../../src/sim/input.js';
import {
  advance,
  applyInput,
  createState,
  draftDisplay,
  draftText,
  nextWakeAt,
  placeholderFor,
  slashCommand,
  type Effect,
  type LogRecord,
  type SimConfig,
  type SimState,
} from '../../src/sim/state.js';

const base: SimConfig = { name: 'a1', swallowMs: 0, busyMs: 0, ignoreEnter: false, placeholderLines: 2, enterNewlineMs: 0, ignoreEnters: 0 };

/** Drive the machine with timed events; `logs`/`effects` leave out the per-key paste and enter records, `all` has every record. */
function run(config: Partial<SimConfig>, events: Array<[number, InputEvent | 'tick']>): { state: SimState; logs: LogRecord[]; effects: Effect[]; all: LogRecord[] } {
  let state = createState({ ...base, ...config });
  const effects: Effect[] = [];
  for (const [now, event] of events) {
    const step = event === 'tick' ? advance(state, now) : applyInput(state, event, now);
    state = step.state;
    effects.push(...step.effects);
  }
  const all = effects.flatMap((e) => (e.kind === 'log' ? [e.record] : []));
  return { state, logs: all.filter(isOutcome), effects: outcomes(effects), all };
}

/** The records the first tests are about (submit, command, ...), without paste, enter, turn and clear records. */
function isOutcome(record: LogRecord): boolean {
  return record.kind !== 'paste' && record.kind !== 'enter' && record.kind !== 'turn' && record.kind !== 'clear';
}

function outcomes(effects: Effect[]): Effect[] {
  return effects.filter((e) => e.kind !== 'log' || isOutcome(e.record));
}

const type = (text: string): InputEvent => ({ kind: 'text', text });
const paste = (text: string): InputEvent => ({ kind: 'paste', text });
const enter: InputEvent = { kind: 'enter' };

function userTexts(state: SimState): string[] {
  return state.transcript.map((e) => (e.kind === 'user' ? `❯ ${e.text}` : e.kind === 'reply' ? `● ${e.text}` : e.text));
}

describe('sim state machine', () => {
  it('submits a draft on Enter and replies at once when not busy', () => {
    const { state, logs } = run({}, [
      [0, type('hello')],
      [1, enter],
    ]);
    expect(logs).toEqual([{ ts: 1, name: 'a1', session: 1, kind: 'submit', text: 'hello', queued: false }]);
    expect(userTexts(state)).toEqual(['❯ hello', '● ok a1 received 5 chars']);
    expect(draftText(state)).toBe('');
  });

  it('ignores Enter on an empty draft', () => {
    expect(run({}, [[0, enter]]).logs).toEqual([]);
  });

  it('swallows an Enter inside the window after a paste and submits a later one', () => {
    const { state, logs } = run({ swallowMs: 300 }, [
      [1000, paste('body')],
      [1299, enter],
      [1300, enter],
    ]);
    expect(logs.map((r) => [r.kind, r.ts, r.text])).toEqual([
      ['swallowed', 1299, 'body'],
      ['submit', 1300, 'body'],
    ]);
    expect(state.draft).toEqual([]);
  });

  it('does not swallow Enter after typed (not pasted) text', () => {
    const { logs } = run({ swallowMs: 300 }, [
      [0, type('x')],
      [1, enter],
    ]);
    expect(logs.map((r) => r.kind)).toEqual(['submit']);
  });

  it('queues messages while busy and runs them one turn each, in order', () => {
    const first = run({ busyMs: 1000 }, [
      [0, type('one')],
      [0, enter],
      [100, type('two')],
      [100, enter],
      [200, type('three')],
      [200, enter],
    ]);
    expect(first.logs.map((r) => [r.text, r.queued])).toEqual([
      ['one', false],
      ['two', true],
      ['three', true],
    ]);
    expect(first.state.queue).toEqual(['two', 'three']);
    expect(nextWakeAt(first.state)).toBe(1000);

    const mid = advance(first.state, 1500).state;
    expect(mid.turn).toMatchObject({ text: 'two', startedAt: 1000, endsAt: 2000 });
    expect(mid.queue).toEqual(['three']);

    const done = advance(mid, 5000).state;
    expect(done.turn).toBeNull();
    expect(userTexts(done)).toEqual([
      '❯ one',
      '● ok a1 received 3 chars',
      '❯ two',
      '● ok a1 received 3 chars',
      '❯ three',
      '● ok a1 received 5 chars',
    ]);
  });

  it('/clear and /new start a new session with an empty transcript', () => {
    const { state, logs } = run({ busyMs: 1000 }, [
      [0, type('hi')],
      [0, enter],
      [50, type('queued')],
      [50, enter],
      [100, type('/clear')],
      [100, enter],
    ]);
    expect(state.session).toBe(2);
    expect(userTexts(state)).toEqual(['✓ New session started']);
    expect(state.turn).toBeNull();
    expect(state.queue).toEqual([]);
    expect(logs.at(-1)).toEqual({ ts: 100, name: 'a1', session: 2, kind: 'command', text: '/clear', discarded: ['queued'] });
    const again = applyInput(applyInput(state, type('/new please'), 200).state, enter, 200);
    expect(again.state.session).toBe(3);
    expect(outcomes(again.effects)).toEqual([{ kind: 'log', record: { ts: 200, name: 'a1', session: 3, kind: 'command', text: '/new please' } }]);
  });

  it('shows an unknown slash command and does not submit it', () => {
    const { state, logs } = run({}, [
      [0, type('/frobnicate now')],
      [0, enter],
    ]);
    expect(logs).toEqual([]);
    expect(userTexts(state)).toEqual(['● Unknown command: /frobnicate']);
    expect(state.draft).toEqual([]);
  });

  it('/exit logs and exits 0', () => {
    const { effects } = run({}, [
      [0, type('/exit')],
      [0, enter],
    ]);
    expect(effects).toEqual([
      { kind: 'log', record: { ts: 0, name: 'a1', session: 1, kind: 'exit', text: '/exit' } },
      { kind: 'exit', code: 0 },
    ]);
  });

  it('treats paths and mid-text slashes as messages', () => {
    expect(slashCommand('/tmp/x is a file')).toBeNull();
    expect(slashCommand('see /clear')).toBeNull();
    expect(slashCommand('/clear')).toBe('/clear');
    expect(slashCommand('/clear\nmore')).toBe('/clear');
  });

  it('never submits with ignoreEnter', () => {
    const { state, logs } = run({ ignoreEnter: true }, [
      [0, type('stay')],
      [1, enter],
    ]);
    expect(logs).toEqual([]);
    expect(draftText(state)).toBe('stay');
  });

  it('shows long pastes as numbered placeholders but submits the real text', () => {
    const body = 'a\nb\nc\nd';
    const long = 'x'.repeat(1001);
    const { state, logs } = run({}, [
      [0, type('see: ')],
      [0, paste(body)],
      [0, paste(long)],
      [0, paste('short\npaste')],
    ]);
    expect(draftDisplay(state)).toBe('see: [Pasted text #1 +3 lines][Pasted text #2]short\npaste');
    expect(draftText(state)).toBe(`see: ${body}${long}short\npaste`);
    const sent = applyInput(state, enter, 10);
    expect(outcomes(sent.effects)).toEqual([{ kind: 'log', record: expect.objectContaining({ kind: 'submit', text: `see: ${body}${long}short\npaste` }) }]);
    expect(logs).toEqual([]);
  });

  it('numbers placeholders per session', () => {
    expect(placeholderFor('1\n2\n3', 2, 1)).toBeNull();
    expect(placeholderFor('1\n2\n3\n4', 2, 7)).toBe('[Pasted text #7 +3 lines]');
    expect(placeholderFor('1\n2\n3', 1, 1)).toBe('[Pasted text #1 +2 lines]');
    const { state } = run({}, [
      [0, paste('1\n2\n3\n4')],
      [0, { kind: 'clear' }],
      [0, type('/clear')],
      [0, enter],
      [0, paste('1\n2\n3\n4')],
    ]);
    expect(draftDisplay(state)).toBe('[Pasted text #1 +3 lines]');
  });

  it('edits the draft: backspace by character or whole placeholder, C-u and C-c clear', () => {
    const s1 = run({}, [
      [0, type('ab🎉')],
      [0, { kind: 'backspace' }],
    ]).state;
    expect(draftText(s1)).toBe('ab');
    const s2 = run({}, [
      [0, type('x')],
      [0, paste('1\n2\n3\n4')],
      [0, { kind: 'backspace' }],
    ]).state;
    expect(draftText(s2)).toBe('x');
    expect(run({}, [[0, type('x')], [0, { kind: 'clear' }]]).state.draft).toEqual([]);
    expect(run({}, [[0, type('x')], [0, { kind: 'interrupt' }]]).state.draft).toEqual([]);
    expect(run({}, [[0, { kind: 'interrupt' }]]).effects).toEqual([]);
  });
  it('logs every paste and every Enter with what it did', () => {
    const { all } = run({ swallowMs: 100, busyMs: 1000 }, [
      [0, paste('one')],
      [50, enter],
      [200, enter],
      [300, enter],
      [400, type('two')],
      [400, enter],
      [500, type('/clear')],
      [500, enter],
    ]);
    expect(all.map((r) => [r.kind, r.action ?? null, r.text, r.queued ?? null])).toEqual([
      ['paste', null, 'one', null],
      ['swallowed', null, 'one', null],
      ['enter', 'swallowed', 'one', null],
      ['enter', 'submitted', 'one', false],
      ['submit', null, 'one', false],
      ['turn', null, 'one', false],
      ['enter', 'empty', '', null],
      ['enter', 'submitted', 'two', true],
      ['submit', null, 'two', true],
      ['enter', 'command', '/clear', null],
      ['command', null, '/clear', null],
    ]);
  });

  it('logs an ignored Enter when it never submits', () => {
    const { all, state } = run({ ignoreEnter: true }, [
      [0, paste('stay')],
      [5000, enter],
    ]);
    expect(all.map((r) => [r.kind, r.action ?? null])).toEqual([
      ['paste', null],
      ['enter', 'ignored'],
    ]);
    expect(draftText(state)).toBe('stay');
  });

  it('turns an Enter right after a paste into a newline, and submits on a later one', () => {
    const { all, state } = run({ enterNewlineMs: 40 }, [
      [1000, paste('body')],
      [1039, enter],
      [1040, enter],
    ]);
    expect(all.filter((r) => r.kind === 'enter').map((r) => [r.action, r.text])).toEqual([
      ['newline', 'body'],
      ['submitted', 'body\n'],
    ]);
    expect(all.find((r) => r.kind === 'submit')?.text).toBe('body\n');
    expect(state.draft).toEqual([]);
  });

  it('ignores the first N Enters after each paste, whatever their timing', () => {
    const { all } = run({ ignoreEnters: 1 }, [
      [0, paste('a')],
      [5000, enter],
      [6000, enter],
      [7000, paste('b')],
      [9000, enter],
      [9001, enter],
      [9002, type('typed')],
      [9003, enter],
    ]);
    expect(all.filter((r) => r.kind === 'enter').map((r) => [r.action, r.text])).toEqual([
      ['ignored', 'a'],
      ['submitted', 'a'],
      ['ignored', 'b'],
      ['submitted', 'b'],
      ['submitted', 'typed'],
    ]);
  });

  it('keeps tabs in the draft and in the submitted text', () => {
    const { all } = run({}, [
      [0, paste('a\tb\n\tc')],
      [1, enter],
    ]);
    expect(all.filter((r) => r.kind === 'paste' || r.kind === 'submit').map((r) => r.text)).toEqual(['a\tb\n\tc', 'a\tb\n\tc']);
  });
  it('logs the start of each turn: queued messages run later, in the order they were taken', () => {
    const { all, state } = run({ busyMs: 1000 }, [
      [0, paste('one')],
      [0, enter],
      [100, paste('two')],
      [100, enter],
      [200, paste('three')],
      [200, enter],
      [2500, 'tick'],
    ]);
    expect(all.filter((r) => r.kind === 'submit' || r.kind === 'turn').map((r) => [r.kind, r.ts, r.text, r.queued])).toEqual([
      ['submit', 0, 'one', false],
      ['turn', 0, 'one', false],
      ['submit', 100, 'two', true],
      ['submit', 200, 'three', true],
      ['turn', 1000, 'two', true],
      ['turn', 2000, 'three', true],
    ]);
    expect(state.turn?.text).toBe('three');
  });

  it('logs a draft cleared by C-u or C-c, and nothing for an empty box', () => {
    const { all } = run({}, [
      [0, paste('mine')],
      [1, { kind: 'interrupt' }],
      [2, { kind: 'clear' }],
      [3, type('typed')],
      [4, { kind: 'clear' }],
    ]);
    expect(all.filter((r) => r.kind === 'clear').map((r) => [r.ts, r.text])).toEqual([
      [1, 'mine'],
      [4, 'typed'],
    ]);
  });
});
