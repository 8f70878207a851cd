// The demo agent's terminal I/O: raw stdin into the state machine, effects out to the log, frames to stdout.
import { appendFileSync, readSync } from 'node:fs';
import { InputParser, type InputEvent } from './input.js';
import type { SimOptions } from './options.js';
import { frameToAnsi, renderFrame, splitFrameToAnsi, type View } from './render.js';
import { advance, applyInput, createState, logRecord, type Effect, type LogRecord, type SimState } from './state.js';

const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';
const LONE_ESCAPE_MS = 100;

/** Run the sim on this process's terminal until /exit, SIGTERM/SIGHUP or end of input. */
export function runSim(options: SimOptions): void {
  const { stdin, stdout } = process;
  let parser = new InputParser();
  const view: View = { layout: options.layout, placeholder: options.placeholder, placeholderStyle: options.placeholderStyle };
  let state: SimState = createState({
    name: options.name,
    swallowMs: options.swallowMs,
    busyMs: options.busyMs,
    ignoreEnter: options.ignoreEnter,
    placeholderLines: options.placeholderLines,
    enterNewlineMs: options.enterNewlineMs,
    ignoreEnters: options.ignoreEnters,
  });
  let ready = false;
  let exiting = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  let escapeTimer: NodeJS.Timeout | undefined;
  let splitTimer: NodeJS.Timeout | undefined;
  // Wedged: input stays unread (stdin paused) and nothing is drawn, like a stopped process.
  let wedged = false;
  let discarding = false;
  let held: InputEvent[] = [];
  // A paused stdin no longer keeps the event loop alive; a wedged REPL must not simply exit.
  let keepAlive: NodeJS.Timeout | undefined;
  let submitted = 0;

  // One write per record: each line is appended whole, so a reader never sees half a record.
  const writeLog = (record: LogRecord): void => {
    if (options.logFile) appendFileSync(options.logFile, `${JSON.stringify(record)}\n`);
  };

  const draw = (): void => {
    if (!ready || exiting || wedged) return;
    const size = { columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 };
    const frame = renderFrame(state, Date.now(), size, view);
    clearTimeout(splitTimer);
    if (options.splitDrawMs <= 0) {
      stdout.write(frameToAnsi(frame));
      return;
    }
    const [top, rest] = splitFrameToAnsi(frame);
    stdout.write(top);
    splitTimer = setTimeout(() => stdout.write(rest), options.splitDrawMs);
  };

  const restoreTerminal = (): void => {
    if (options.bracketedPaste && ready) stdout.write(BRACKETED_PASTE_OFF);
    if (stdin.isTTY) stdin.setRawMode(false);
  };

  const quit = (code: number, reason?: string): void => {
    if (exiting) return;
    if (reason !== undefined) writeLog(logRecord(state, 'exit', Date.now(), { text: reason }));
    exiting = true;
    clearTimeout(wakeTimer);
    clearTimeout(escapeTimer);
    clearTimeout(splitTimer);
    clearInterval(keepAlive);
    restoreTerminal();
    stdout.write('\r\n');
    process.exit(code);
  };

  const runEffects = (effects: Effect[]): void => {
    for (const effect of effects) {
      if (effect.kind === 'exit') quit(effect.code);
      else {
        writeLog(effect.record);
        if (effect.record.kind === 'submit') submitted++;
      }
    }
  };

  // While busy, wake at the turn's end and at each whole second so the spinner's counter moves.
  const scheduleWake = (): void => {
    clearTimeout(wakeTimer);
    const turn = state.turn;
    if (!turn || exiting) return;
    const now = Date.now();
    const nextSecond = now + 1000 - ((now - turn.startedAt) % 1000);
    wakeTimer = setTimeout(onWake, Math.max(0, Math.min(turn.endsAt, nextSecond) - now));
  };

  const onWake = (): void => {
    const step = advance(state, Date.now());
    state = step.state;
    runEffects(step.effects);
    draw();
    scheduleWake();
  };

  const wedge = (reason: string): void => {
    if (wedged || exiting) return;
    wedged = true;
    clearTimeout(splitTimer);
    stdin.pause();
    keepAlive = setInterval(() => undefined, 60_000);
    writeLog(logRecord(state, 'wedge', Date.now(), { reason }));
  };

  const shouldWedgeItself = (): boolean => options.wedgeAfter !== null && submitted >= options.wedgeAfter;
  let wedgedItself = false;

  /** Apply events in order; when the sim wedges itself midway, the rest wait for the resume. */
  const applyEvents = (events: InputEvent[]): void => {
    const now = Date.now();
    for (let i = 0; i < events.length; i++) {
      const step = applyInput(state, events[i]!, now);
      state = step.state;
      runEffects(step.effects);
      if (exiting) return;
      if (!wedgedItself && shouldWedgeItself()) {
        wedgedItself = true;
        // The submission that reached the limit is drawn; everything after it meets a wedged REPL.
        draw();
        wedge(`wedge-after ${options.wedgeAfter}`);
        held.push(...events.slice(i + 1));
        return;
      }
    }
  };

  const onData = (chunk: Buffer): void => {
    // Real REPLs lose keystrokes that arrive before their UI is up; so does the sim.
    if (!ready || exiting || discarding) return;
    // A chunk already on its way when the stream paused is kept for the resume, not taken.
    if (wedged) {
      held.push(...parser.feed(chunk));
      return;
    }
    applyEvents(parser.feed(chunk));
    if (exiting) return;
    draw();
    scheduleWake();
    clearTimeout(escapeTimer);
    if (parser.hasPending()) escapeTimer = setTimeout(() => parser.flushLoneEscape(), LONE_ESCAPE_MS);
  };

  const resume = (reason: string): void => {
    if (!wedged || exiting) return;
    wedged = false;
    clearInterval(keepAlive);
    writeLog(logRecord(state, 'resume', Date.now(), { reason, dropped: options.wedgeDrop }));
    if (options.wedgeDrop) discardPendingInput();
    else {
      const burst = held;
      held = [];
      applyEvents(burst);
      if (exiting) return;
    }
    draw();
    scheduleWake();
    if (!wedged) stdin.resume();
  };

  // Everything that arrived while wedged: held events, the stream's buffer and what the kernel still holds.
  const discardPendingInput = (): void => {
    held = [];
    discarding = true;
    while (stdin.read() !== null);
    discarding = false;
    parser = new InputParser();
    if (stdin.isTTY) drainFd(0);
  };

  const becomeReady = (): void => {
    if (exiting) return;
    ready = true;
    if (options.bracketedPaste) stdout.write(BRACKETED_PASTE_ON);
    writeLog(logRecord(state, 'start', Date.now()));
    draw();
  };

  // Raw mode from the first moment so early keystrokes are read (and dropped) instead of echoed or line-buffered.
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.on('end', () => quit(0, 'eof'));
  stdin.resume();
  stdout.on('resize', draw);
  // A write error means the pane is gone: there is no terminal left to restore.
  stdout.on('error', () => process.exit(0));
  process.on('SIGTERM', () => quit(0, 'SIGTERM'));
  process.on('SIGHUP', () => quit(0, 'SIGHUP'));
  process.on('SIGUSR1', () => wedge('SIGUSR1'));
  process.on('SIGUSR2', () => resume('SIGUSR2'));
  // C-c is a key in raw mode; a stray SIGINT from outside must not kill the agent either.
  process.on('SIGINT', () => undefined);
  process.on('exit', () => {
    if (!exiting) restoreTerminal();
  });

  if (options.startupMs > 0) setTimeout(becomeReady, options.startupMs);
  else becomeReady();
}

/** Read and drop whatever the (non-blocking, as libuv leaves a tty) descriptor holds right now. */
function drainFd(fd: number): void {
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    try {
      if (readSync(fd, buffer) <= 0) return;
    } catch {
      return; // EAGAIN: nothing left
    }
  }
}
