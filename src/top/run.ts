// The terminal side of `mosaic-fleet top`: raw keys in, frames out, effects performed. Everything it shows comes
// from the pure view (controller.ts, layout.ts); this file only talks to the terminal and the feed.
import { spawnSync } from 'node:child_process';
import { applySnapshot, handleKey, initialView, targetOf, visibleRows, type Effect, type Notice, type View } from './controller.js';
import { parseKeys } from './keys.js';
import { layoutFrame, renderLines, type Paint, type Size } from './layout.js';
import { rowJson, type SortKey } from './model.js';
import type { TopActions } from './actions.js';
import type { TopFeed } from './types.js';

export interface TopOptions {
  intervalMs: number;
  sort?: SortKey;
  filter?: string;
  detail?: boolean;
}

/** What the loop needs from a terminal (process.stdin/stdout in the CLI). */
export interface Terminal {
  size(): Size;
  write(text: string): void;
  /** Raw mode on and the alternate screen shown. */
  enter(): void;
  /** Back to the normal screen, cooked mode. */
  leave(): void;
  onInput(handler: (data: string) => void): () => void;
  onResize(handler: () => void): () => void;
}

const SCREEN_LINES = 200;

/** How to paint: colours unless NO_COLOR (then bold/inverse only); plain text when not a terminal. */
export function paintFor(env: NodeJS.ProcessEnv, tty: boolean): Paint {
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return env.NO_COLOR ? 'mono' : 'color';
  if (!tty) return 'plain';
  return env.NO_COLOR ? 'mono' : 'color';
}

/** One frame from one snapshot (`--once`): the whole list when no height is given. */
export async function topOnce(feed: TopFeed, options: Omit<TopOptions, 'intervalMs'>, size: { width: number; height?: number }, paint: Paint): Promise<string> {
  let view = initialView(options);
  view = applySnapshot(view, await feed.snapshot({ detail: null, screenLines: SCREEN_LINES }));
  if (view.detail && view.selected) view = applySnapshot(view, await feed.snapshot({ detail: view.selected, screenLines: SCREEN_LINES }));
  const height = size.height ?? visibleRows(view).length + 3 + (view.detail ? 12 : 0);
  // No highlighted row in a printed frame unless the detail pane says whose screen it shows.
  const { lines } = layoutFrame(view.detail ? view : { ...view, selected: null }, { width: size.width, height }, view.snapshot!.at);
  return renderLines(lines, paint).map((l) => l.trimEnd()).join('\n');
}

/** The same data as the view, as one JSON-ready document. */
export async function topDocument(feed: TopFeed, options: Omit<TopOptions, 'intervalMs'>): Promise<Record<string, unknown>> {
  const view = applySnapshot(initialView(options), await feed.snapshot({ detail: null, screenLines: SCREEN_LINES }));
  const snap = view.snapshot!;
  return {
    at: new Date(snap.at).toISOString(),
    socket: snap.socket,
    source: snap.source,
    sort: view.sort,
    filter: view.filter,
    hosts: snap.hosts,
    agents: visibleRows(view).map((r) => rowJson(r, snap.at)),
  };
}

/** The live view until q or Ctrl-C. */
export async function runTop(
  feed: TopFeed,
  actions: TopActions,
  term: Terminal,
  options: TopOptions,
  paint: Paint,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<void> {
  let view: View = initialView(options);
  let last = '';
  let busy = false;
  let again = false;
  let stopped = false;
  // While attached the terminal belongs to tmux: nothing is drawn, even by a refresh already under way.
  let suspended = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  const draw = (force = false) => {
    if (stopped || suspended) return;
    const size = term.size();
    const { lines, scroll } = layoutFrame(view, size, Date.now());
    view = { ...view, scroll };
    const text = renderLines(lines, paint).join('\r\n');
    if (!force && text === last) return;
    last = text;
    term.write(`\x1b[H${text}\x1b[J`);
  };

  // One refresh at a time; a request during one runs right after it.
  const refresh = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        try {
          const snap = await feed.snapshot({ detail: view.detail ? view.selected : null, screenLines: SCREEN_LINES });
          view = applySnapshot(view, snap);
        } catch (error) {
          view = { ...view, notice: { text: `refresh failed: ${messageOf(error)}`, tone: 'bad' } };
        }
        draw();
      } while (again && !stopped);
    } finally {
      busy = false;
    }
  };

  const notify = (notice: Notice) => {
    view = { ...view, notice };
    draw();
  };

  const perform = async (effect: Effect) => {
    switch (effect.kind) {
      case 'quit':
        finish();
        return;
      case 'refresh':
        await refresh();
        return;
      case 'attach':
        await attach(effect.target);
        return;
      case 'deliver':
        notify(await actions.deliver().catch(failure));
        break;
      case 'send':
        notify(await actions.send(effect.target, effect.body).catch(failure));
        break;
      case 'reset':
        notify(await actions.reset(effect.target).catch(failure));
        break;
      case 'restart':
        notify(await actions.restart(effect.target).catch(failure));
        break;
    }
    await refresh();
  };

  const attach = async (target: string) => {
    let argv: string[];
    try {
      argv = await actions.attachArgv(target);
    } catch (error) {
      notify(failure(error));
      return;
    }
    pause();
    suspended = true;
    term.leave();
    // A nested tmux client: the fleet's server is not the one this terminal may already be inside.
    const childEnv = { ...env };
    delete childEnv.TMUX;
    delete childEnv.TMUX_PANE;
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit', env: childEnv });
    term.enter();
    suspended = false;
    resume();
    const row = view.rows.find((x) => targetOf(x) === target);
    notify(r.error ? { text: `attach failed: ${r.error.message}`, tone: 'bad' } : { text: `back from ${row?.name ?? target}`, tone: 'info' });
    draw(true);
    await refresh();
  };

  const onInput = (data: string) => {
    for (const key of parseKeys(data)) {
      const page = Math.max(1, term.size().height - 4);
      const r = handleKey(view, key, page);
      view = r.view;
      if (r.effect) void perform(r.effect);
    }
    draw();
  };

  let offInput = () => {};
  let offResize = () => {};
  let timer: NodeJS.Timeout | undefined;
  let offFeed = () => {};
  const resume = () => {
    offInput = term.onInput(onInput);
    offResize = term.onResize(() => draw(true));
    timer = setInterval(() => void refresh(), options.intervalMs);
    offFeed = feed.onChange?.(() => void refresh()) ?? (() => {});
  };
  const pause = () => {
    offInput();
    offResize();
    offFeed();
    clearInterval(timer);
  };

  // SIGTERM (or Ctrl-C outside raw mode) ends the view like q does: the terminal is given back in its normal state.
  signal?.addEventListener('abort', () => finish(), { once: true });
  if (signal?.aborted) finish();
  term.enter();
  resume();
  draw(true);
  try {
    await refresh();
    await done;
  } finally {
    stopped = true;
    pause();
    term.leave();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function failure(error: unknown): Notice {
  return { text: `error: ${messageOf(error)}`, tone: 'bad' };
}

/** process.stdin/stdout as a Terminal. */
export function processTerminal(): Terminal {
  const out = process.stdout;
  const input = process.stdin;
  return {
    size: () => ({ width: out.columns || 80, height: out.rows || 24 }),
    write: (text) => void out.write(text),
    enter() {
      if (input.isTTY) input.setRawMode(true);
      input.setEncoding('utf8');
      input.resume();
      // Alternate screen, cursor hidden.
      out.write('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J');
    },
    leave() {
      out.write('\x1b[0m\x1b[?25h\x1b[?1049l');
      if (input.isTTY) input.setRawMode(false);
      input.pause();
    },
    onInput(handler) {
      input.on('data', handler);
      return () => input.off('data', handler);
    },
    onResize(handler) {
      out.on('resize', handler);
      return () => out.off('resize', handler);
    },
  };
}
