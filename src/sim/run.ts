// The demo agent's terminal I/O: raw stdin into the state machine, effects out to the log, frames to stdout.
import { appendFileSync } from 'node:fs';
import { InputParser } from './input.js';
import type { SimOptions } from './options.js';
import { frameToAnsi, renderFrame } from './render.js';
import { advance, applyInput, createState, logRecord, type Effect, type LogRecord, type SimState } from './state.js';

const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';
const LONE_ESCAPE_MS = 100;

/** Run the sim on this process's terminal until /exit, SIGTERM/SIGHUP or end of input. */
export function runSim(options: SimOptions): void {
  const { stdin, stdout } = process;
  const parser = new InputParser();
  let state: SimState = createState({
    name: options.name,
    swallowMs: options.swallowMs,
    busyMs: options.busyMs,
    ignoreEnter: options.ignoreEnter,
    placeholderLines: options.placeholderLines,
  });
  let ready = false;
  let exiting = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  let escapeTimer: NodeJS.Timeout | undefined;

  const writeLog = (record: LogRecord): void => {
    if (options.logFile) appendFileSync(options.logFile, `${JSON.stringify(record)}\n`);
  };

  const draw = (): void => {
    if (!ready || exiting) return;
    const size = { columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 };
    stdout.write(frameToAnsi(renderFrame(state, Date.now(), size)));
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
    restoreTerminal();
    stdout.write('\r\n');
    process.exit(code);
  };

  const runEffects = (effects: Effect[]): void => {
    for (const effect of effects) {
      if (effect.kind === 'log') writeLog(effect.record);
      else quit(effect.code);
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
    state = advance(state, Date.now()).state;
    draw();
    scheduleWake();
  };

  const onData = (chunk: Buffer): void => {
    // Real REPLs lose keystrokes that arrive before their UI is up; so does the sim.
    if (!ready || exiting) return;
    const now = Date.now();
    for (const event of parser.feed(chunk)) {
      const step = applyInput(state, event, now);
      state = step.state;
      runEffects(step.effects);
      if (exiting) return;
    }
    draw();
    scheduleWake();
    clearTimeout(escapeTimer);
    if (parser.hasPending()) escapeTimer = setTimeout(() => parser.flushLoneEscape(), LONE_ESCAPE_MS);
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
  // C-c is a key in raw mode; a stray SIGINT from outside must not kill the agent either.
  process.on('SIGINT', () => undefined);
  process.on('exit', () => {
    if (!exiting) restoreTerminal();
  });

  if (options.startupMs > 0) setTimeout(becomeReady, options.startupMs);
  else becomeReady();
}
