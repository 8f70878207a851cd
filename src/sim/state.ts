// The demo agent's behaviour as a pure state machine: input events and the clock in, new state and effects out.
import type { InputEvent } from './input.js';

export interface SimConfig {
  name: string;
  swallowMs: number;
  busyMs: number;
  ignoreEnter: boolean;
  placeholderLines: number;
  /** An Enter this soon after a paste ends becomes a newline in the draft (Gemini CLI under tmux). */
  enterNewlineMs: number;
  /** The first N Enters after each paste do nothing (Claude Code 2.1.332 ignores the first). */
  ignoreEnters: number;
}

/** A run of draft text; `label` is set when a paste is shown as a placeholder instead of its text. */
export interface DraftSegment {
  text: string;
  label: string | null;
}

/** `reply` is the agent's answer (each layout draws its own glyph before it); `line` is drawn as is. */
export type TranscriptEntry = { kind: 'user'; text: string } | { kind: 'reply'; text: string } | { kind: 'line'; text: string };

export interface Turn {
  text: string;
  startedAt: number;
  endsAt: number;
}

export interface SimState {
  readonly config: SimConfig;
  readonly session: number;
  readonly draft: readonly DraftSegment[];
  readonly pasteCount: number;
  readonly lastPasteEndAt: number | null;
  /** Enters received since the last paste ended (for `ignoreEnters`). */
  readonly entersSincePaste: number;
  readonly transcript: readonly TranscriptEntry[];
  readonly turn: Turn | null;
  readonly queue: readonly string[];
}

export type LogKind = 'start' | 'paste' | 'enter' | 'submit' | 'turn' | 'clear' | 'swallowed' | 'command' | 'wedge' | 'resume' | 'exit';

/** What one Enter key did: the ground truth a delivery verdict is checked against. */
export type EnterAction = 'submitted' | 'command' | 'newline' | 'ignored' | 'swallowed' | 'empty';

export interface LogRecord {
  ts: number;
  name: string;
  session: number;
  kind: LogKind;
  text?: string;
  queued?: boolean;
  action?: EnterAction;
  /** wedge/resume: why (signal, wedge-after) and, on resume, whether held input was dropped. */
  reason?: string;
  dropped?: boolean;
  /** command: queued messages a reset threw away before their turn (the REPL took them, then never ran them). */
  discarded?: string[];
}

type LogExtra = Pick<LogRecord, 'text' | 'queued' | 'action' | 'reason' | 'dropped' | 'discarded'>;

export type Effect = { kind: 'log'; record: LogRecord } | { kind: 'exit'; code: number };

export interface Step {
  state: SimState;
  effects: Effect[];
}

/** Pastes longer than this on (at most a few) lines are collapsed like Claude Code does. */
export const LONG_PASTE_CHARS = 1000;

const MAX_TRANSCRIPT_ENTRIES = 500;
const RESET_COMMANDS = new Set(['/clear', '/new']);

export function createState(config: SimConfig): SimState {
  return { config, session: 1, draft: [], pasteCount: 0, lastPasteEndAt: null, entersSincePaste: 0, transcript: [], turn: null, queue: [] };
}

export function logRecord(state: SimState, kind: LogKind, now: number, extra: LogExtra = {}): LogRecord {
  return { ts: now, name: state.config.name, session: state.session, kind, ...extra };
}

/** When the current turn ends (the caller sets a timer for it), or null when idle. */
export function nextWakeAt(state: SimState): number | null {
  return state.turn ? state.turn.endsAt : null;
}

export function isBusy(state: SimState): boolean {
  return state.turn !== null;
}

/** The text that Enter would submit (pastes at full length, not their placeholders). */
export function draftText(state: SimState): string {
  return state.draft.map((s) => s.text).join('');
}

/** The text the input box shows (pastes replaced by their placeholders). */
export function draftDisplay(state: SimState): string {
  return state.draft.map((s) => s.label ?? s.text).join('');
}

/** Finish every turn whose busy time has passed and start the queued ones, oldest first (a `turn` record each). */
export function advance(state: SimState, now: number): Step {
  let next = state;
  const effects: Effect[] = [];
  while (next.turn && next.turn.endsAt <= now) {
    const step = finishTurn(next);
    next = step.state;
    effects.push(...step.effects);
  }
  return { state: next, effects };
}

/** Apply one input event at time `now` (turns that ended before it are finished first). */
export function applyInput(state: SimState, event: InputEvent, now: number): Step {
  const before = advance(state, now);
  const step = applyEvent(before.state, event, now);
  return before.effects.length === 0 ? step : { state: step.state, effects: [...before.effects, ...step.effects] };
}

function applyEvent(current: SimState, event: InputEvent, now: number): Step {
  switch (event.kind) {
    case 'text':
      return unchanged(appendTyped(current, event.text));
    case 'paste':
      return pasteText(current, event.text, now);
    case 'backspace':
      return unchanged(deleteBack(current));
    case 'clear':
    case 'interrupt':
      // C-c only clears a draft: quitting on it would lose the agent, and an empty box ignores it.
      return clearDraft(current, now);
    case 'enter':
      return pressEnter(current, now);
  }
}

function clearDraft(state: SimState, now: number): Step {
  if (state.draft.length === 0) return unchanged(state);
  const cleared = { ...state, draft: [] };
  return { state: cleared, effects: [log(cleared, 'clear', now, { text: draftText(state) })] };
}

function unchanged(state: SimState): Step {
  return { state, effects: [] };
}

function appendTyped(state: SimState, text: string): SimState {
  const draft = [...state.draft];
  const last = draft[draft.length - 1];
  if (last && last.label === null) draft[draft.length - 1] = { text: last.text + text, label: null };
  else draft.push({ text, label: null });
  return { ...state, draft };
}

function pasteText(state: SimState, text: string, now: number): Step {
  const pasted = appendPaste(state, text, now);
  return { state: pasted, effects: [log(pasted, 'paste', now, { text })] };
}

function appendPaste(state: SimState, text: string, now: number): SimState {
  const pasted = { ...state, lastPasteEndAt: now, entersSincePaste: 0 };
  if (text === '') return pasted;
  const label = placeholderFor(text, state.config.placeholderLines, state.pasteCount + 1);
  if (label === null) return appendTyped(pasted, text);
  return { ...pasted, draft: [...state.draft, { text, label }], pasteCount: state.pasteCount + 1 };
}

/** Claude Code collapses big pastes into a numbered placeholder; null when the paste is shown as typed. */
export function placeholderFor(text: string, maxLines: number, number: number): string | null {
  const newlines = countNewlines(text);
  if (newlines > maxLines) return `[Pasted text #${number} +${newlines} lines]`;
  if (charCount(text) > LONG_PASTE_CHARS) return newlines === 0 ? `[Pasted text #${number}]` : `[Pasted text #${number} +${newlines} lines]`;
  return null;
}

function deleteBack(state: SimState): SimState {
  const draft = [...state.draft];
  const last = draft.pop();
  if (!last) return state;
  if (last.label === null) {
    const chars = [...last.text];
    chars.pop();
    if (chars.length > 0) draft.push({ text: chars.join(''), label: null });
  }
  // A placeholder is one token: backspace removes the whole paste, as in Claude Code.
  return { ...state, draft };
}

function pressEnter(state: SimState, now: number): Step {
  const text = draftText(state);
  if (state.config.ignoreEnter) return enterDid(state, now, 'ignored', text);
  const ignoring = state.lastPasteEndAt !== null && state.entersSincePaste < state.config.ignoreEnters;
  const counted = { ...state, entersSincePaste: state.entersSincePaste + 1 };
  if (ignoring) return enterDid(counted, now, 'ignored', text);
  if (isInSwallowWindow(counted, now)) {
    const step = enterDid(counted, now, 'swallowed', text);
    return { state: step.state, effects: [log(counted, 'swallowed', now, { text }), ...step.effects] };
  }
  if (isInNewlineWindow(counted, now)) return enterDid(appendTyped(counted, '\n'), now, 'newline', text);
  if (text === '') return enterDid(counted, now, 'empty', text);
  const cleared = { ...counted, draft: [] };
  const command = slashCommand(text);
  if (command === null) return submitMessage(cleared, text, now);
  const taken = log(cleared, 'enter', now, { text, action: 'command' });
  if (RESET_COMMANDS.has(command)) return withFirst(taken, resetSession(cleared, text.trim(), now));
  if (command === '/exit') return { state: cleared, effects: [taken, log(cleared, 'exit', now, { text: command }), { kind: 'exit', code: 0 }] };
  return { state: addLine(cleared, `● Unknown command: ${command}`), effects: [taken] };
}

/** An Enter that did not submit: the state it leaves and its ground-truth record. */
function enterDid(state: SimState, now: number, action: EnterAction, text: string): Step {
  return { state, effects: [log(state, 'enter', now, { text, action })] };
}

function withFirst(effect: Effect, step: Step): Step {
  return { state: step.state, effects: [effect, ...step.effects] };
}

// Gemini CLI under tmux turns an Enter that lands right behind a paste into a newline in its draft.
function isInNewlineWindow(state: SimState, now: number): boolean {
  const { enterNewlineMs } = state.config;
  return enterNewlineMs > 0 && state.lastPasteEndAt !== null && now - state.lastPasteEndAt < enterNewlineMs;
}

// Some REPLs drop an Enter that lands right after a paste (they are still digesting it); the draft stays.
function isInSwallowWindow(state: SimState, now: number): boolean {
  const { swallowMs } = state.config;
  return swallowMs > 0 && state.lastPasteEndAt !== null && now - state.lastPasteEndAt < swallowMs;
}

/** The slash command a draft starts with ("/clear"), or null for an ordinary message (including paths like /tmp/x). */
export function slashCommand(text: string): string | null {
  const match = /^\/([A-Za-z][A-Za-z0-9_-]*)(?=\s|$)/.exec(text);
  return match ? `/${match[1]}` : null;
}

function submitMessage(state: SimState, text: string, now: number): Step {
  const queued = state.turn !== null;
  const records = [log(state, 'enter', now, { text, action: 'submitted', queued }), log(state, 'submit', now, { text, queued })];
  if (queued) return { state: { ...state, queue: [...state.queue, text] }, effects: records };
  return { state: startTurn(state, text, now), effects: [...records, log(state, 'turn', now, { text, queued: false })] };
}

function startTurn(state: SimState, text: string, startedAt: number): SimState {
  const shown = withEntry(state, { kind: 'user', text });
  if (state.config.busyMs <= 0) return withEntry(shown, replyFor(state, text));
  return { ...shown, turn: { text, startedAt, endsAt: startedAt + state.config.busyMs } };
}

function finishTurn(state: SimState): Step {
  const turn = state.turn!;
  const replied = withEntry({ ...state, turn: null }, replyFor(state, turn.text));
  const [next, ...rest] = replied.queue;
  if (next === undefined) return unchanged(replied);
  // The queued turn starts when the previous one ended, so a late timer does not stretch the schedule.
  const started = startTurn({ ...replied, queue: rest }, next, turn.endsAt);
  return { state: started, effects: [log(started, 'turn', turn.endsAt, { text: next, queued: true })] };
}

function resetSession(state: SimState, text: string, now: number): Step {
  const fresh: SimState = {
    ...state,
    session: state.session + 1,
    transcript: [{ kind: 'line', text: '✓ New session started' }],
    turn: null,
    queue: [],
    pasteCount: 0,
    lastPasteEndAt: null,
    entersSincePaste: 0,
  };
  const discarded = state.queue.length > 0 ? { discarded: [...state.queue] } : {};
  return { state: fresh, effects: [log(fresh, 'command', now, { text, ...discarded })] };
}

function replyFor(state: SimState, text: string): TranscriptEntry {
  return { kind: 'reply', text: `ok ${state.config.name} received ${charCount(text)} chars` };
}

function addLine(state: SimState, text: string): SimState {
  return withEntry(state, { kind: 'line', text });
}

// Only the newest entries can ever be on screen; a long-running demo agent must not grow without bound.
function withEntry(state: SimState, entry: TranscriptEntry): SimState {
  return { ...state, transcript: [...state.transcript, entry].slice(-MAX_TRANSCRIPT_ENTRIES) };
}

function log(state: SimState, kind: LogKind, now: number, extra: LogExtra = {}): Effect {
  return { kind: 'log', record: logRecord(state, kind, now, extra) };
}

/** Characters as a person counts them (code points), so emoji and CJK count once. */
export function charCount(text: string): number {
  return [...text].length;
}

function countNewlines(text: string): number {
  let n = 0;
  for (const c of text) if (c === '\n') n++;
  return n;
}
