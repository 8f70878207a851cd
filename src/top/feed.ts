// The polling feed, woken early by the fleet service's events when one runs. Each snapshot is one `list-panes -a` per
// host (through fleetStatus, the code `status` runs), the ledger folded incrementally (last message in and out,
// pending count), and at most one more tmux call per host that captures, in one process, the screens it needs: the
// detail pane's agent, and agents inside their start-up window that have not yet been seen ready (to tell `starting`
// from `idle`).
import type { Context } from '../core/context.js';
import { fleetStatus, type StatusRow } from '../core/fleet.js';
import { ledgerOf } from '../core/ledger.js';
import { resolveAgents, type ResolvedAgent } from '../roster/resolve.js';
import { profileFor } from '../runtimes/registry.js';
import { parseCapture } from '../tmux/screen.js';
import type { Tmux } from '../tmux/client.js';
import { localShortHostname } from '../core/identity.js';
import type { MessageRecord } from '../ledger/index.js';
import type { AgentSample, MessageSummary, TopFeed, TopSnapshot } from './types.js';
import { subscribeToService } from '../service/subscribe.js';

const LEDGER_DAYS = 7;
// Events come in bursts (a delivery's steps, a broadcast): one look per burst.
const WAKE_BATCH_MS = 50;
const MARK = '\u241emosaic-top-end';

export function summaryOf(r: MessageRecord): MessageSummary {
  return { id: r.id, from: `${r.from.host}:${r.from.session}`, to: `${r.to.host}:${r.to.session}`, at: r.created, verdict: r.status, kind: r.kind };
}

/** Per agent: the newest message to it, the newest from it, and how many wait for it. Names shared by agents on
 *  several hosts are matched with the endpoint's host too. Pure. */
export function ledgerView(
  agents: { name: string; host: string }[],
  records: MessageRecord[],
  pending: MessageRecord[],
  localLabel: string,
): Map<string, { lastIn: MessageSummary | null; lastOut: MessageSummary | null; pending: number }> {
  const shared = new Set(agents.map((a) => a.name).filter((n, i, all) => all.indexOf(n) !== i));
  const keyFor = (e: { host: string; session: string }) => {
    if (!shared.has(e.session)) return e.session;
    return `${e.host === localLabel ? 'local' : e.host}:${e.session}`;
  };
  const last = new Map<string, { lastIn: MessageRecord | null; lastOut: MessageRecord | null; pending: number }>();
  const entry = (k: string) => {
    let e = last.get(k);
    if (!e) last.set(k, (e = { lastIn: null, lastOut: null, pending: 0 }));
    return e;
  };
  // Records come oldest first: the last one seen is the newest.
  for (const r of records) {
    entry(keyFor(r.to)).lastIn = r;
    entry(keyFor(r.from)).lastOut = r;
  }
  for (const r of pending) entry(keyFor(r.to)).pending += 1;
  const out = new Map<string, { lastIn: MessageSummary | null; lastOut: MessageSummary | null; pending: number }>();
  for (const a of agents) {
    const e = last.get(shared.has(a.name) ? `${a.host}:${a.name}` : a.name);
    out.set(`${a.host}:${a.name}`, { lastIn: e?.lastIn ? summaryOf(e.lastIn) : null, lastOut: e?.lastOut ? summaryOf(e.lastOut) : null, pending: e?.pending ?? 0 });
  }
  return out;
}

/** Split the output of a batched capture (each screen followed by MARK) into screens, in order. */
export function splitBatch(out: string, count: number): string[] {
  const screens: string[] = [];
  let current: string[] = [];
  for (const line of out.replace(/\n$/, '').split('\n')) {
    if (line === MARK) {
      screens.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  return screens.slice(0, count);
}

export class PollFeed implements TopFeed {
  readonly name = 'poll';
  /** Panes (id and pid) seen ready once: never probed again until their program changes. */
  private readonly seenReady = new Set<string>();
  private agents: ResolvedAgent[] | null = null;

  constructor(private readonly ctx: Context) {}

  async snapshot(request: { detail: string | null; screenLines: number }): Promise<TopSnapshot> {
    const started = performance.now();
    const status = await fleetStatus(this.ctx);
    const at = Date.now();
    const roster = this.ctx.roster(false);
    this.agents ??= roster ? resolveAgents(roster, this.ctx.env) : [];
    const ledger = ledgerOf(this.ctx);
    const messages = ledgerView(status.agents, ledger.list({ since: new Date(at - LEDGER_DAYS * 86_400_000) }), ledger.pending(), localShortHostname());
    const samples = status.agents.map((a): AgentSample => ({
      name: a.name,
      host: a.host,
      runtime: a.runtime,
      class: a.class,
      state: a.state,
      inRoster: a.inRoster,
      pid: a.pid,
      paneId: a.paneId,
      exitStatus: a.exitStatus,
      exitSignal: a.exitSignal,
      startedAt: a.startedAt,
      ...messages.get(`${a.host}:${a.name}`)!,
    }));
    const screen = await this.readScreens(status.agents, samples, request, at);
    return {
      at,
      socket: status.socket,
      source: this.name,
      hosts: status.hosts.map((h) => ({ host: h.host, reachable: h.reachable, ...(h.error ? { error: h.error } : {}) })),
      agents: samples,
      screen,
      cost: { ms: performance.now() - started },
    };
  }

  /** One tmux call per host that needs screens: probes for agents still starting, and the detail pane. */
  private async readScreens(rows: StatusRow[], samples: AgentSample[], request: { detail: string | null; screenLines: number }, at: number): Promise<TopSnapshot['screen']> {
    const byHost = new Map<string, { row: StatusRow; sample: AgentSample; probe: boolean; detail: boolean }[]>();
    rows.forEach((row, i) => {
      const spec = this.agents!.find((a) => a.name === row.name && a.host === row.host);
      const fresh = row.paneId !== null && row.pid !== null && !this.seenReady.has(`${row.paneId}/${row.pid}`);
      const young = row.startedAt !== null && at - row.startedAt < (spec?.readyTimeoutMs ?? 60_000);
      const probe = row.state === 'idle' && fresh && young && spec !== undefined;
      if (row.state === 'idle' && fresh && !young) this.seenReady.add(`${row.paneId}/${row.pid}`);
      const detail = request.detail === `${row.host}:${row.name}` && row.paneId !== null;
      if (!probe && !detail) return;
      byHost.set(row.host, [...(byHost.get(row.host) ?? []), { row, sample: samples[i]!, probe, detail }]);
    });
    let screen: TopSnapshot['screen'] = null;
    await Promise.all(
      [...byHost].map(async ([host, wanted]) => {
        const tmux = (this.ctx.transport(host) as { tmux?: Tmux }).tmux;
        let screens: string[];
        try {
          if (!tmux) throw new Error('not a tmux transport');
          const args = wanted.flatMap((w) => ['capture-pane', '-p', '-e', '-t', w.row.paneId!, ';', 'display-message', '-p', MARK, ';']);
          screens = splitBatch(await tmux.run(args.slice(0, -1)), wanted.length);
        } catch {
          // A pane gone since list-panes (the batch stops there), or another transport: nothing probed this time.
          screens = [];
        }
        wanted.forEach((w, i) => {
          const raw = screens[i];
          if (raw === undefined) return;
          const parsed = parseCapture(raw);
          if (w.probe) {
            const spec = this.agents!.find((a) => a.name === w.row.name && a.host === w.row.host)!;
            if (profileFor(spec.baseRuntime).parse(parsed).ready) this.seenReady.add(`${w.row.paneId}/${w.row.pid}`);
            else w.sample.state = 'starting';
          }
          if (w.detail) {
            const lines = parsed.lines.map((l) => l.text.trimEnd());
            while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
            screen = { agent: w.row.name, host: w.row.host, lines: lines.slice(-request.screenLines) };
          }
        });
      }),
    );
    return screen;
  }

  /** With the fleet service running, wake on its events (an agent died or came back, a message moved on), a few
   *  at a time; the view's own timer keeps it current without one. */
  onChange(wake: () => void): () => void {
    let timer: NodeJS.Timeout | null = null;
    const soon = () => {
      timer ??= setTimeout(() => {
        timer = null;
        wake();
      }, WAKE_BATCH_MS);
    };
    const subscription = subscribeToService(this.ctx.rosterPath(), this.ctx.env, (event) => {
      if (event.kind === 'agent' || event.kind === 'message' || event.kind === 'supervision' || event.kind === 'service') soon();
    });
    return () => {
      subscription?.close();
      if (timer) clearTimeout(timer);
    };
  }

  async close(): Promise<void> {}
}
