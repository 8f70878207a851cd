import { randomBytes } from 'node:crypto';
import { FleetError } from '../errors.js';
import type { PaneInfo } from '../tmux/format.js';
import { observePane, type Observation, type Tmux } from '../tmux/client.js';
import type { RuntimeProfile, ScreenState } from '../runtimes/types.js';
import { cursorRowText } from '../runtimes/generic.js';

export type DeliveryStatus = 'submitted' | 'queued' | 'draft' | 'held' | 'failed';

export interface DeliverOptions {
  /** Budget for confirming submission after the first Enter. */
  verifyTimeoutMs: number;
  /** Enter keystrokes at most (the first plus retries while the body is still in the box). */
  maxEnters: number;
  lockTimeoutMs: number;
  /** How long to wait for the REPL to draw its input box before pasting. */
  readyTimeoutMs: number;
  /** How long to wait for text a person left in the input box to clear before reporting `held`. */
  holdMs: number;
  /** Wait for the turn to end (not busy) before pasting, at most this long; undefined = paste while busy. */
  whenIdleMs?: number;
  onEvent?: (event: DeliveryEvent) => void;
  /** The REPL's own report of prompts it took (its prompt-submit hook); checked before the screen. */
  receipt?: Receipt;
}

/** A stream of prompts a REPL reports having taken. */
export interface Receipt {
  /** Remember where the stream is now: only later reports count. */
  mark(): Promise<void>;
  /** Whether a report since mark() holds `text`. */
  seen(text: string): Promise<boolean>;
}

export type DeliveryEvent =
  | { kind: 'locked'; atMs: number }
  | { kind: 'pasted'; atMs: number }
  | { kind: 'enter'; atMs: number; n: number }
  | { kind: 'verdict'; atMs: number; status: DeliveryStatus; detail?: string };

export interface DeliveryOutcome {
  status: DeliveryStatus;
  enters: number;
  /** From the start of delivery (lock wait included) to the verdict. */
  latencyMs: number;
  detail?: string;
  pasted: boolean;
}

export const DEFAULT_DELIVER_OPTIONS: DeliverOptions = {
  verifyTimeoutMs: 10_000,
  maxEnters: 8,
  lockTimeoutMs: 60_000,
  readyTimeoutMs: 15_000,
  holdMs: 2_000,
};

const POLL_MS = 15;
const PASTE_VISIBLE_MS = 2_000;
// Gap since the previous Enter before another is sent while the body is still visibly in the box:
// short at first (a REPL that drops an Enter right after a paste takes the next one), then backing off.
const ENTER_GAPS_MS = [60, 80, 120, 200, 300, 500, 800];
// Claude Code clears its box before its UserPromptSubmit hook has run (a shell, slow on a loaded host): give it this long.
const RECEIPT_GRACE_MS = 5_000;

let bufferSeq = 0;

/** Paste `text` into `pane` and confirm it was submitted. Holds the per-pane lock on the tmux host throughout,
 *  so concurrent senders never interleave, and pastes the body at most once. */
export async function deliver(
  tmux: Tmux,
  pane: PaneInfo,
  text: string,
  profile: RuntimeProfile,
  options: Partial<DeliverOptions> = {},
): Promise<DeliveryOutcome> {
  const opts = { ...DEFAULT_DELIVER_OPTIONS, ...options };
  const started = Date.now();
  const since = () => Date.now() - started;
  const lock = await tmux.host.lock(lockKey(pane), opts.lockTimeoutMs);
  opts.onEvent?.({ kind: 'locked', atMs: since() });
  // A remote lock doubles as a command channel: the verify loop's tmux calls reuse its ssh session.
  const via = lock.channel ? tmux.on(lock.channel) : tmux;
  try {
    const outcome = await deliverLocked(via, pane, text, profile, opts, since);
    opts.onEvent?.({ kind: 'verdict', atMs: since(), status: outcome.status, ...(outcome.detail ? { detail: outcome.detail } : {}) });
    return { ...outcome, latencyMs: since() };
  } finally {
    await lock.release();
  }
}

/** One lock per pane per server: the socket path plus the pane id names it on the tmux host. */
export function lockKey(pane: PaneInfo): string {
  return `${pane.socketPath || 'default'}-${pane.paneId}`;
}

type Partial2 = Omit<DeliveryOutcome, 'latencyMs'>;

async function deliverLocked(
  tmux: Tmux,
  pane: PaneInfo,
  text: string,
  profile: RuntimeProfile,
  opts: DeliverOptions,
  since: () => number,
): Promise<Partial2> {
  const read = async () => {
    const obs = await observePane(tmux, pane.paneId);
    return { obs, state: profile.parse(obs.screen) };
  };
  let { obs, state } = await read();
  if (obs.dead) return { status: 'failed', enters: 0, pasted: false, detail: 'the pane is dead' };
  if (obs.inMode) {
    // Copy mode would take our Enter as "copy selection": leave it (tmux-level, nothing reaches the REPL).
    await tmux.run(['send-keys', '-t', pane.paneId, '-X', 'cancel']);
    ({ obs, state } = await read());
  }

  const ready = await waitUntil(read, (s) => (s.state.ready && s.state.input !== null) || isBoxless(profile, s.state), opts.readyTimeoutMs, { obs, state });
  if (!ready.ok) {
    if (ready.last.obs.dead) return { status: 'failed', enters: 0, pasted: false, detail: 'the pane is dead' };
    const why = ready.last.state.dialog ? `it shows a dialog (${ready.last.state.dialog})` : 'no input box is visible';
    throw new FleetError('TIMEOUT', `${pane.sessionName} is not ready for input after ${Math.round(opts.readyTimeoutMs / 1000)} s: ${why}`, {
      hint: `check it with \`mosaic-agent tail ${pane.sessionName}\``,
    });
  }
  ({ obs, state } = ready.last);

  // Never merge our text into what a person is typing: wait for the box to clear, else report held.
  if (hasForeignDraft(state)) {
    const cleared = await waitUntil(read, (s) => !hasForeignDraft(s.state), opts.holdMs, { obs, state });
    if (!cleared.ok) return { status: 'held', enters: 0, pasted: false, detail: 'the input box holds text someone is typing' };
    ({ obs, state } = cleared.last);
  }
  if (opts.whenIdleMs !== undefined && state.busy) {
    const idle = await waitUntil(read, (s) => !s.state.busy && !hasForeignDraft(s.state), opts.whenIdleMs, { obs, state });
    if (!idle.ok) return { status: 'held', enters: 0, pasted: false, detail: `still busy after ${Math.round(opts.whenIdleMs / 1000)} s` };
    ({ obs, state } = idle.last);
  }
  const baseline = state;

  const buffer = `mosaic-${process.pid}-${(bufferSeq += 1)}-${randomBytes(3).toString('hex')}`;
  await opts.receipt?.mark();
  await tmux.loadAndPaste(buffer, text, pane.paneId);
  opts.onEvent?.({ kind: 'pasted', atMs: since() });

  // Enter only once the REPL has drawn the paste: an Enter in the same read as the paste end is a newline to some.
  await waitUntil(read, (s) => bodyVisible(s, text, profile) || s.obs.dead, PASTE_VISIBLE_MS);
  if (profile.enterDelayMs > 0) await sleep(profile.enterDelayMs);

  return confirmEnter(tmux, pane, text, profile, baseline.busy, opts, since);
}

/** Press Enter and confirm: retry Enter only while the body is still visibly in the box; never paste again. */
export async function confirmEnter(
  tmux: Tmux,
  pane: PaneInfo,
  text: string,
  profile: RuntimeProfile,
  wasBusy: boolean,
  options: Partial<DeliverOptions> = {},
  since: () => number = () => 0,
): Promise<Partial2> {
  const opts = { ...DEFAULT_DELIVER_OPTIONS, ...options };
  const read = async () => {
    const obs = await observePane(tmux, pane.paneId);
    return { obs, state: profile.parse(obs.screen) };
  };
  let enters = 0;
  let lastEnter = 0;
  const pressEnter = async () => {
    await tmux.sendEnter(pane.paneId);
    enters += 1;
    lastEnter = Date.now();
    opts.onEvent?.({ kind: 'enter', atMs: since(), n: enters });
  };
  await pressEnter();
  const deadline = Date.now() + opts.verifyTimeoutMs;
  let last = await read();
  for (;;) {
    if (last.obs.dead) return { status: 'failed', enters, pasted: true, detail: 'the pane died during delivery' };
    if (opts.receipt && (await opts.receipt.seen(text))) {
      return { status: 'submitted', enters, pasted: true, detail: "confirmed by the REPL's prompt-submit hook" };
    }
    if (!bodyVisible(last, text, profile)) {
      const queued = last.state.queued || (wasBusy && last.state.busy);
      if (queued) return { status: 'queued', enters, pasted: true };
      // Slash commands are the REPL's own (Claude runs /clear without its prompt hook): the screen's word is final.
      if (opts.receipt && !text.startsWith('/')) return awaitReceipt(opts.receipt, text, enters);
      return { status: 'submitted', enters, pasted: true };
    }
    if (Date.now() >= deadline) break;
    const gap = ENTER_GAPS_MS[Math.min(enters - 1, ENTER_GAPS_MS.length - 1)]!;
    if (enters < opts.maxEnters && Date.now() - lastEnter >= gap) await pressEnter();
    else await sleep(pollInterval(Date.now() - (deadline - opts.verifyTimeoutMs)));
    last = await read();
  }
  return { status: 'draft', enters, pasted: true, detail: 'the message is still in the input box' };
}

/** The box cleared: a hooked REPL reports the prompt shortly after; the screen's word stands if the hook stays silent. */
async function awaitReceipt(receipt: Receipt, text: string, enters: number): Promise<Partial2> {
  const started = Date.now();
  for (;;) {
    if (await receipt.seen(text)) return { status: 'submitted', enters, pasted: true, detail: "confirmed by the REPL's prompt-submit hook" };
    if (Date.now() - started >= RECEIPT_GRACE_MS) break;
    await sleep(pollInterval(Date.now() - started));
  }
  return { status: 'submitted', enters, pasted: true, detail: `the input box cleared; the prompt-submit hook did not report it within ${RECEIPT_GRACE_MS / 1000} s` };
}

interface Reading {
  obs: Observation;
  state: ScreenState;
}

/** Is our body (or a paste placeholder standing for it) in the input box, or on the cursor row of a boxless screen? */
export function bodyVisible(reading: Reading, text: string, profile: RuntimeProfile): boolean {
  const box = reading.state.input ?? cursorRowText(reading.obs.screen);
  return holdsBody(box, text, profile.pastePlaceholders);
}

export function holdsBody(box: string | null, text: string, placeholders: RegExp[]): boolean {
  if (box === null || box.trim() === '') return false;
  if (placeholders.some((p) => p.test(box))) return true;
  // Compare without whitespace: REPLs wrap, indent continuation rows and pad with NBSP.
  const have = squash(box);
  const want = squash(text);
  const probe = Math.min(24, want.length);
  return have.includes(want.slice(0, probe)) || have.includes(want.slice(want.length - probe));
}

/** Text in the input box that is not ours: a person typing. A boxless screen (a shell) has no draft we can see. */
function hasForeignDraft(state: ScreenState): boolean {
  return state.input !== null && state.input.trim() !== '';
}

function isBoxless(profile: RuntimeProfile, state: ScreenState): boolean {
  return (profile.name === 'generic' || profile.name === 'shell') && state.input === null && !state.dialog;
}

function squash(s: string): string {
  return s.replace(/[\s\u00a0]+/gu, '');
}

/** Poll until `ok`; a reading already in hand is checked first (no extra tmux call). Polls fast, then backs off. */
async function waitUntil<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, first?: T): Promise<{ ok: boolean; last: T }> {
  const started = Date.now();
  let last = first ?? (await read());
  while (!ok(last)) {
    if (Date.now() - started >= timeoutMs) return { ok: false, last };
    await sleep(pollInterval(Date.now() - started));
    last = await read();
  }
  return { ok: true, last };
}

/** 15 ms while a verdict is likely imminent, then up to 100 ms so long waits do not flood the tmux server. */
function pollInterval(elapsedMs: number): number {
  return elapsedMs < 500 ? POLL_MS : elapsedMs < 3_000 ? 40 : 100;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
