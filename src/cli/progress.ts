// One self-rewriting progress line on stderr for long waits, only for a person watching a terminal.
import type { OnProgress, ProgressStep } from '../core/progress.js';
import { currentInvocation } from '../invocation.js';

export interface ProgressLine {
  /** Pass to the core function as its onProgress. */
  readonly update: OnProgress;
  /** Erase the line (before the result is printed). */
  done(): void;
}

/** Draw only when stdout and stderr are both a terminal and --json is off; `delayMs` hides waits shorter than that. */
export function progressLine(options: { json?: boolean; delayMs?: number; stream?: NodeJS.WriteStream; stdoutIsTty?: boolean } = {}): ProgressLine {
  const stream = options.stream ?? process.stderr;
  // Inside the fleet service there is no terminal of ours to redraw.
  const enabled = !currentInvocation() && !options.json && (options.stdoutIsTty ?? process.stdout.isTTY) === true && stream.isTTY === true;
  if (!enabled) return { update: () => undefined, done: () => undefined };
  const started = Date.now();
  let step: ProgressStep | undefined;
  let drawn = false;
  const draw = () => {
    if (!step || Date.now() - started < (options.delayMs ?? 0)) return;
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const line = `${step.what} (${step.done}/${step.total}, ${elapsed} s)`;
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    drawn = true;
  };
  // The ticker keeps the elapsed time moving during one long step; it never keeps the process alive.
  const ticker = setInterval(draw, 250);
  ticker.unref();
  return {
    update(next) {
      step = next;
      draw();
    },
    done() {
      clearInterval(ticker);
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
