import { randomBytes } from 'node:crypto';
import { FleetError } from '../errors.js';
import type { PaneInfo } from '../tmux/format.js';
import { observePane, type Tmux } from '../tmux/client.js';
import type { RuntimeProfile } from '../runtimes/types.js';
import { readPane, withEmptyLook, type ReadHints, type Reading } from '../evidence/reading.js';
import { judgeTaken, pasteShown, steadyEnough, unchanged } from '../evidence/judge.js';
import { countCopies, holdsBody, isWholly } from '../evidence/text.js';

// The send loop: paste once, press Enter only while our text is visibly in the input box, and give a verdict only
// from what the screen (or the REPL's own hook) proved. What counts as proof lives in src/evidence/.

export type DeliveryStatus = 'submitted' | 'queued' | 'draft' | 'held' | 'unconfirmed' | 'failed';

export interface DeliverOptions {
  /** Budget for seeing the paste, and again for confirming submission after the first Enter. */
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
  /** Called right before the paste (the ledger makes it durable): after this point the text may be in the pane. */
  beforePaste?: () => void;
  /** The REPL's own report of prompts it took (its prompt-submit hook); checked before the screen. */
  receipt?: Receipt;
  /** What was learnt about this pane's screen; told what this send learns. */
  memory?: HintStore;
  /** Our earlier messages to this pane that may sit unsent in its box (sender died, or left as a draft), or unread in
   *  its terminal. Asked only once the lock is held: a sender that held the lock until now is gone by then. */
  orphans?: () => ReadonlyArray<Orphan>;
  /** Called when one of `orphans` was found in the box and finished (or not) before our message. */
  onOrphan?: (id: string, outcome: Verdict) => void;
}

/** One of our earlier messages to this pane whose fate is open. */
export interface Orphan {
  id: string;
  text: string;
  /** When it was pasted, if nothing has shown it on screen since (its sender died first, or the REPL never drew it):
   *  a frozen REPL may still hold it unread in its terminal, and will read it before anything pasted after it. */
  unreadSince?: number;
}

// How long an unread paste of ours holds back the next one. A REPL frozen for longer is taken to have lost it (its
// sender's record says unconfirmed), and pasting resumes.
export const UNREAD_HOLD_MS = 60_000;

export interface HintStore {
  recall(): ReadHints | undefined;
  learn(hints: ReadHints): void;
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
  // The REPL drew the pasted text: from here on it cannot be an unread paste (the ledger records it).
  | { kind: 'shown'; atMs: number }
  | { kind: 'enter'; atMs: number; n: number }
  | { kind: 'verdict'; atMs: number; status: DeliveryStatus; detail?: string };

export interface DeliveryOutcome {
  status: DeliveryStatus;
  enters: number;
  /** From the start of delivery (lock wait included) to the verdict. */
  latencyMs: number;
  detail?: string;
  pasted: boolean;
  /** Pasted, and the REPL (the same process) never drew it: it may still read it later. */
  unread?: boolean;
}

export type Verdict = Omit<DeliveryOutcome, 'latencyMs'>;

export const DEFAULT_DELIVER_OPTIONS: DeliverOptions = {
  verifyTimeoutMs: 10_000,
  maxEnters: 8,
  lockTimeoutMs: 60_000,
  readyTimeoutMs: 15_000,
  holdMs: 2_000,
};

const POLL_MS = 15;
// Woken by pane output, a reader still waits this long between two readings.
const MIN_PAUSE_MS = 4;
// Gap since the previous Enter before another is sent while the body is still visibly in the box:
// short at first (a REPL that drops an Enter right after a paste takes the next one), then backing off.
const ENTER_GAPS_MS = [45, 60, 90, 150, 300, 500, 1000];
// Claude Code clears its box before its UserPromptSubmit hook has run (a shell, slow on a loaded host): give it this long.
const RECEIPT_GRACE_MS = 5_000;
// Evidence resting on a bare prompt at the cursor must hold this long, unchanged, before it counts.
const PROMPT_EVIDENCE_MS = 150;
// The first Enter waits this long after a paste is seen on a screen no profile reads.
const UNKNOWN_ENTER_DELAY_MS = 50;

let bufferSeq = 0;

/** Paste `text` into `pane` and find out what the REPL did with it. Holds the per-pane lock on the tmux host
 *  throughout, so concurrent senders never interleave, and pastes the body at most once. */
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
  return withPaneLock(tmux, pane, opts.lockTimeoutMs, async (via) => {
    opts.onEvent?.({ kind: 'locked', atMs: since() });
    const outcome = await deliverLocked(via, pane, text, profile, opts, since);
    opts.onEvent?.({ kind: 'verdict', atMs: since(), status: outcome.status, ...(outcome.detail ? { detail: outcome.detail } : {}) });
    return { ...outcome, latencyMs: since() };
  });
}

/** Run `fn` holding the pane's send lock: sends, resets, restarts and stops of one pane never overlap.
 *  A remote lock doubles as a command channel: `fn` gets a Tmux that reuses its ssh session. */
export async function withPaneLock<T>(tmux: Tmux, pane: PaneInfo, timeoutMs: number, fn: (via: Tmux) => Promise<T>): Promise<T> {
  const lock = await tmux.host.lock(lockKey(pane), timeoutMs);
  try {
    return await fn(lock.channel ? tmux.on(lock.channel) : tmux);
  } finally {
    await lock.release();
  }
}

/** One lock per pane per server: the socket path plus the pane id names it on the tmux host. */
export function lockKey(pane: PaneInfo): string {
  return `${pane.socketPath || 'default'}-${pane.paneId}`;
}

/** The whole delivery, for a caller that already holds the pane's lock. */
export async function deliverLocked(
  tmux: Tmux,
  pane: PaneInfo,
  text: string,
  profile: RuntimeProfile,
  options: Partial<DeliverOptions>,
  since: () => number = () => 0,
): Promise<Verdict> {
  const opts = { ...DEFAULT_DELIVER_OPTIONS, ...options };
  const eyes = new Eyes(tmux, pane, profile, opts.memory);
  let r = await eyes.read();
  if (r.dead) return { status: 'failed', enters: 0, pasted: false, detail: 'the pane is dead' };
  if (r.inMode) {
    // Copy mode would take our Enter as "copy selection": leave it (tmux-level, nothing reaches the REPL).
    await tmux.run(['send-keys', '-t', pane.paneId, '-X', 'cancel']);
    r = await eyes.read();
  }
  r = await eyes.waitReady(r, opts.readyTimeoutMs);
  if (r.dead) return { status: 'failed', enters: 0, pasted: false, detail: 'the pane is dead' };
  // Read by the cursor, a frame caught half drawn could hide a person's text: decide on a screen that stood still.
  if (r.reader === 'cursor') r = await eyes.steady(r);

  if (r.input !== '') {
    // Our own message left in the box by a sender that died (or reported as a draft): finish it, never merge into it.
    const orphan = opts.orphans?.().find((o) => isWholly(r.input, o.text));
    if (orphan) {
      const done = await finishInBox(eyes, r, orphan.text, opts, since);
      opts.onOrphan?.(orphan.id, done);
      r = await eyes.read();
      if (isWholly(r.input, orphan.text)) {
        return { status: 'held', enters: 0, pasted: false, detail: `our earlier message ${orphan.id} is still in the input box and the REPL does not take it; nothing was pasted` };
      }
    }
  }
  // Never merge our text into what a person is typing: wait for the box to clear, else report held.
  if (r.input !== '') {
    const cleared = await eyes.until((s) => s.input === '' || s.dead, opts.holdMs, r);
    if (!cleared.ok) return { status: 'held', enters: 0, pasted: false, detail: heldDetail(cleared.last) };
    r = cleared.last;
  }
  if (opts.whenIdleMs !== undefined && r.busy) {
    const idle = await eyes.until((s) => (!s.busy && s.input === '') || s.dead, opts.whenIdleMs, r);
    if (!idle.ok) return { status: 'held', enters: 0, pasted: false, detail: `still busy after ${Math.round(opts.whenIdleMs / 1000)} s` };
    r = idle.last;
  }
  if (r.dead) return { status: 'failed', enters: 0, pasted: false, detail: 'the pane is dead' };
  // A paste of ours the REPL has not read yet would be read first, and ours glued to it: wait for it to show.
  const unread = settleUnread(r, opts);
  if (unread) {
    const ago = Math.round((Date.now() - unread.unreadSince!) / 1000);
    return { status: 'held', enters: 0, pasted: false, detail: `${UNREAD_HELD}: ${unread.id}, pasted ${ago} s ago, has not shown on the screen yet (the REPL may be frozen with it unread); nothing was pasted` };
  }
  const baseline = r;

  const buffer = `mosaic-${process.pid}-${(bufferSeq += 1)}-${randomBytes(3).toString('hex')}`;
  await opts.receipt?.mark();
  opts.beforePaste?.();
  await tmux.loadAndPaste(buffer, text, pane.paneId);
  const pastedAt = Date.now();
  opts.onEvent?.({ kind: 'pasted', atMs: since() });

  // Enter only once the REPL has drawn our text in its input area: never press it blind.
  const seen = await eyes.until((s) => pasteShown(baseline, s, text, profile.pastePlaceholders) || s.dead || replaced(baseline, s), opts.verifyTimeoutMs);
  if (seen.last.dead) return { status: 'failed', enters: 0, pasted: true, detail: 'the pane died during delivery' };
  if (replaced(baseline, seen.last)) return { status: 'unconfirmed', enters: 0, pasted: true, detail: 'the agent was restarted while the message was being pasted' };
  if (!seen.ok) {
    return {
      status: 'unconfirmed',
      enters: 0,
      pasted: true,
      unread: true,
      detail: `the REPL did not show the pasted text within ${seconds(opts.verifyTimeoutMs)} (frozen, or not reading input); Enter was not pressed. If it shows up in the box later, the next send or \`mosaic-fleet deliver\` finishes it`,
    };
  }
  opts.onEvent?.({ kind: 'shown', atMs: since() });
  // An unknown REPL may turn an Enter that follows a paste too closely into a newline (Gemini CLI does within ~40 ms).
  const enterDelay = seen.last.reader === 'cursor' ? Math.max(profile.enterDelayMs, UNKNOWN_ENTER_DELAY_MS) : profile.enterDelayMs;
  if (enterDelay > 0) await sleep(enterDelay);
  return confirmEnter(eyes, baseline, seen.last, text, opts, since, Date.now() - pastedAt);
}

/** How a `held` verdict caused by an unread paste of ours begins (the soak tells it from a person's draft by this). */
export const UNREAD_HELD = 'an earlier message of ours is still unread';

/** The first young unread orphan that the transcript does not show; one it shows was taken, and is settled so. */
function settleUnread(r: Reading, opts: DeliverOptions): Orphan | null {
  for (const o of opts.orphans?.() ?? []) {
    if (o.unreadSince === undefined || Date.now() - o.unreadSince >= UNREAD_HOLD_MS) continue;
    if (countCopies(r.transcript, o.text) === 0) return o;
    opts.onOrphan?.(o.id, { status: 'submitted', enters: 0, pasted: false, detail: 'found in the transcript on a later look' });
  }
  return null;
}

/** After a sender died: if `text` sits whole in the box, finish it (Enter, confirmed); null when it is not there.
 *  The caller holds the pane's lock. */
export async function finishIfInBox(tmux: Tmux, pane: PaneInfo, text: string, profile: RuntimeProfile, options: Partial<DeliverOptions> = {}): Promise<Verdict | null> {
  const opts = { ...DEFAULT_DELIVER_OPTIONS, ...options };
  const eyes = new Eyes(tmux, pane, profile, opts.memory);
  const r = await eyes.read();
  if (r.dead || !isWholly(r.input, text)) return null;
  return finishInBox(eyes, r, text, opts, () => 0);
}

/** Finish a message of ours found whole in the box: Enter and the same evidence as any send. */
async function finishInBox(eyes: Eyes, r: Reading, text: string, opts: DeliverOptions, since: () => number): Promise<Verdict> {
  const v = await confirmEnter(eyes, r, r, text, { ...opts, receipt: undefined }, since);
  return { ...v, detail: `found in the input box and finished${v.detail ? `: ${v.detail}` : ''}` };
}

/** Press Enter and watch: retry Enter only while the body is still visibly in the box; never paste again.
 *  `baseline` is the screen before the paste, `pasted` the first one that showed our text in the box. */
async function confirmEnter(eyes: Eyes, baseline: Reading, pasted: Reading, text: string, opts: DeliverOptions, since: () => number, drawMs = 0): Promise<Verdict> {
  const placeholders = eyes.profile.pastePlaceholders;
  // A REPL that took drawMs to show the paste takes about as long to act on Enter: a retry sooner could land on a
  // submission still in progress and submit twice. So the gap grows with its lag, and never below the profile's floor.
  const floor = Math.max(eyes.profile.enterRetryMinMs ?? 0, 2 * drawMs);
  let enters = 0;
  let lastEnter = 0;
  const pressEnter = async () => {
    await eyes.tmux.sendEnter(eyes.pane.paneId);
    enters += 1;
    lastEnter = Date.now();
    opts.onEvent?.({ kind: 'enter', atMs: since(), n: enters });
  };
  await pressEnter();
  const started = Date.now();
  const deadline = started + opts.verifyTimeoutMs;
  let redrawn = false;
  let takenSince: number | null = null;
  let prev: Reading | null = null;
  let last = await eyes.read();
  for (;;) {
    if (last.dead) return { status: 'failed', enters, pasted: true, detail: 'the pane died during delivery' };
    if (replaced(pasted, last)) return { status: 'unconfirmed', enters, pasted: true, detail: 'the agent was restarted during delivery; whether it took the message is unknown' };
    if (opts.receipt && (await opts.receipt.seen(text))) {
      return { status: 'submitted', enters, pasted: true, detail: "confirmed by the REPL's prompt-submit hook" };
    }
    // Two readings in a row must agree, so a half-drawn frame can never stand as evidence; evidence that rests on a
    // bare prompt must also hold unchanged for a while (a frame drawn in parts can show one for a moment).
    const taken = judgeTaken(baseline, pasted, last, text, placeholders);
    if (!taken) takenSince = null;
    else takenSince ??= Date.now();
    const held = taken !== null && (taken.strength === 'row' || (Date.now() - takenSince! >= PROMPT_EVIDENCE_MS && prev !== null && unchanged(prev, last)));
    if (taken && held && prev && judgeTaken(baseline, pasted, prev, text, placeholders)) {
      // The area was proven empty again: how it looks now is worth remembering (finishing an orphan needs it).
      eyes.learnEmpty(last);
      if (taken.status === 'queued') return { status: 'queued', enters, pasted: true, detail: taken.evidence };
      // Slash commands are the REPL's own (Claude runs /clear without its prompt hook): the screen's word is final.
      if (opts.receipt && !text.startsWith('/')) return awaitReceipt(opts.receipt, text, enters, taken.evidence);
      return { status: 'submitted', enters, pasted: true, detail: taken.evidence };
    }
    if (!unchanged(pasted, last)) redrawn = true;
    if (Date.now() >= deadline) break;
    const gap = Math.max(floor, ENTER_GAPS_MS[Math.min(enters - 1, ENTER_GAPS_MS.length - 1)]!);
    const stillThere = holdsBody(last.input, text, placeholders);
    if (stillThere && enters < opts.maxEnters && Date.now() - lastEnter >= gap) await pressEnter();
    else await eyes.pause(pollInterval(Date.now() - started));
    prev = last;
    last = await eyes.read();
  }
  if (holdsBody(last.input, text, placeholders)) {
    const why = redrawn ? '' : ': the screen did not change at all (the REPL ignores Enter, or is frozen and may still submit it when it wakes)';
    return { status: 'draft', enters, pasted: true, detail: `the message is still in the input box after ${enters} Enter key(s)${why}` };
  }
  return {
    status: 'unconfirmed',
    enters,
    pasted: true,
    detail: last.input === null
      ? 'the input box can no longer be found on the screen, so there is no evidence the REPL took the message'
      : 'the message left the input box, but nothing on screen showed the REPL took it (no transcript entry, no busy or queued sign)',
  };
}

/** The box cleared: a hooked REPL reports the prompt shortly after; the screen's evidence stands if the hook stays silent. */
async function awaitReceipt(receipt: Receipt, text: string, enters: number, evidence: string): Promise<Verdict> {
  const started = Date.now();
  for (;;) {
    if (await receipt.seen(text)) return { status: 'submitted', enters, pasted: true, detail: "confirmed by the REPL's prompt-submit hook" };
    if (Date.now() - started >= RECEIPT_GRACE_MS) break;
    await sleep(pollInterval(Date.now() - started));
  }
  return { status: 'submitted', enters, pasted: true, detail: `${evidence}; the prompt-submit hook did not report it within ${RECEIPT_GRACE_MS / 1000} s` };
}

/** Reads one pane with one profile, remembering what it learns about the screen. */
class Eyes {
  private hints: ReadHints;

  constructor(
    readonly tmux: Tmux,
    readonly pane: PaneInfo,
    readonly profile: RuntimeProfile,
    private readonly memory?: HintStore,
  ) {
    this.hints = memory?.recall() ?? {};
  }

  /** Output drawn since the last reading began wakes the next pause at once. */
  private mark: number | undefined;

  async read(): Promise<Reading> {
    this.mark = this.tmux.host.outputMark?.(this.pane.paneId);
    return readPane(await observePane(this.tmux, this.pane.paneId), this.profile, this.hints);
  }

  /** Until the pane draws something (where the host streams output) or `ms` pass: a paste is seen as it is echoed. */
  async pause(ms: number): Promise<void> {
    const host = this.tmux.host;
    if (!host.waitOutput) return sleep(ms);
    const started = Date.now();
    await host.waitOutput(this.pane.paneId, ms, this.mark);
    // A pane that draws without pause (a spinner, a stream) must not turn the wait into a busy loop.
    const spent = Date.now() - started;
    if (spent < MIN_PAUSE_MS) await sleep(MIN_PAUSE_MS - spent);
  }

  /** Wait until the input area can be read. A known REPL's screen that its profile cannot read is read by the
   *  cursor once it has stood still a moment (a new version); that choice is remembered for the pane. */
  async waitReady(first: Reading, timeoutMs: number): Promise<Reading> {
    const started = Date.now();
    let prev: Reading | null = null;
    let last = first;
    for (;;) {
      if (last.dead) return last;
      if (last.ready && !last.profileMissed && last.drawn) return last;
      // A screen the profile cannot read, or a blank pane (a REPL not drawn yet, or a program that never draws):
      // taken as it is only once it has stood still a moment, so a REPL still starting never gets the paste.
      if (steadyEnough(prev, last, Date.now() - started)) {
        if (last.profileMissed) {
          this.hints = { ...this.hints, reader: 'cursor' };
          this.memory?.learn(this.hints);
        }
        return last;
      }
      if (Date.now() - started >= timeoutMs) {
        const why = last.dialog ? `it shows a dialog (${last.dialog})` : 'no input box is visible';
        throw new FleetError('TIMEOUT', `${this.pane.sessionName} is not ready for input after ${seconds(timeoutMs)}: ${why}`, {
          hint: `check it with \`mosaic-agent tail ${this.pane.sessionName}\``,
        });
      }
      await this.pause(last.profileMissed || !last.drawn ? 100 : pollInterval(Date.now() - started));
      prev = last;
      last = await this.read();
    }
  }

  learnEmpty(r: Reading): void {
    if (r.reader !== 'cursor' || !this.memory) return;
    this.hints = withEmptyLook(this.hints, r);
    this.memory.learn(this.hints);
  }

  /** Two identical readings in a row (at most a second of waiting): the REPL is not in the middle of drawing. */
  async steady(first: Reading): Promise<Reading> {
    const started = Date.now();
    let prev = first;
    for (;;) {
      const last = await this.read();
      if (unchanged(prev, last) || last.dead || Date.now() - started >= 1_000) return last;
      prev = last;
      await this.pause(POLL_MS);
    }
  }

  /** Poll until `ok`; a reading already in hand is checked first (no extra tmux call). Polls fast, then backs off. */
  async until(ok: (r: Reading) => boolean, timeoutMs: number, first?: Reading): Promise<{ ok: boolean; last: Reading }> {
    const started = Date.now();
    let last = first ?? (await this.read());
    while (!ok(last)) {
      if (Date.now() - started >= timeoutMs) return { ok: false, last };
      await this.pause(pollInterval(Date.now() - started));
      last = await this.read();
    }
    return { ok: true, last };
  }
}

function replaced(before: Reading, now: Reading): boolean {
  return before.pid !== null && now.pid !== null && before.pid !== now.pid;
}

function heldDetail(r: Reading): string {
  const shown = (r.input ?? '').replace(/\s+/g, ' ').trim();
  const excerpt = shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
  return `the input box holds text that is not ours ("${excerpt}"): someone may be typing; nothing was pasted`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** 15 ms while a verdict is likely imminent, then up to 100 ms so long waits do not flood the tmux server. */
function pollInterval(elapsedMs: number): number {
  return elapsedMs < 500 ? POLL_MS : elapsedMs < 3_000 ? 40 : 100;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

