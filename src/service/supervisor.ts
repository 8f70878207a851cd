// The supervisor the fleet service runs: each tick looks at every roster agent (one overview per host), records each
// death once, and revives dead REPLs in place as their roster `restart` policy says (decide() in supervise.ts), with
// backoff and a limit. Every death, revival and give-up goes to the ledger (src/ledger/supervision.ts) before the
// event is emitted, so `status` and a restarted service see the same history.
//
// systemd: the agent units are oneshot (RemainAfterExit) and only run `start`/`stop`; the REPL lives in the tmux
// server, so systemd never sees it die and never restarts it. Reviving is therefore left to this supervisor whether
// or not the fleet runs under systemd, and the two cannot both act on one death.
import { FleetError } from '../errors.js';
import { resolveAgents, type ResolvedAgent } from '../roster/resolve.js';
import type { AgentStatus } from '../transport/types.js';
import type { Context } from '../core/context.js';
import { launchFor } from '../core/launch.js';
import { kickstartAgents } from '../core/agent.js';
import { ledgerOf } from '../core/ledger.js';
import type { AgentDeath, RevivalResult, SupervisionLog } from '../ledger/supervision.js';
import { decide, historyFrom } from './supervise.js';
import { pause } from '../core/pause.js';

/** What the supervisor reports, for the service's event stream. Times are ISO strings. */
export type SupervisorEvent =
  | { kind: 'agent-exited'; agent: string; host: string; exitStatus: number | null; exitSignal: number | null; at: string }
  | { kind: 'agent-reviving'; agent: string; host: string; attempt: number; delayMs: number }
  | {
      kind: 'agent-revived';
      agent: string;
      host: string;
      attempt: number;
      delayMs: number;
      /** ready: took input again; exited: died again while starting; not-ready: no input box in time; failed: could
       *  not be started; skipped: someone else had already revived it (not counted). */
      outcome: RevivalResult['outcome'];
      pid: number | null;
      /** Delivery status of the kickstart sent after the revival; null when none was asked for or sent. */
      kickstart: string | null;
      detail?: string;
    }
  | { kind: 'agent-given-up'; agent: string; host: string; restarts: number; windowSeconds: number; exitStatus: number | null; exitSignal: number | null }
  | { kind: 'host-unreachable'; host: string; error: string }
  | { kind: 'host-reachable'; host: string }
  | { kind: 'supervisor-error'; error: string };

export interface SupervisorOptions {
  onEvent?(event: SupervisorEvent): void;
  /** Sender of the kickstarts it re-sends ('host:session'); default: who this process is (detectSelf). */
  from?: string;
}

export interface AgentSupervisor {
  /** One pass: observe every roster agent, record new deaths, start the revivals that are due and record give-ups.
   *  Revivals run in the background (a REPL can take its whole ready timeout): tick does not wait for them. */
  tick(): Promise<void>;
  /** Resolves when every revival started so far has finished (and been recorded). */
  settle(): Promise<void>;
  /** tick() every intervalMs until `signal` aborts, then settle(). A failing tick is reported, never fatal. */
  run(signal: AbortSignal, intervalMs?: number): Promise<void>;
  /** Agents ('host:name') with a revival in progress. */
  reviving(): string[];
}

export const DEFAULT_SUPERVISE_INTERVAL_MS = 2_000;
// Deaths and give-ups older than this are not looked up again (a window longer than a day still counts in full).
const HISTORY_SPAN_MS = 24 * 3600_000;
const UNREACHABLE = new Set(['HOST_UNREACHABLE', 'SSH_AUTH', 'TMUX_MISSING', 'TMUX_FAILED', 'TRANSPORT_UNAVAILABLE']);

export function createSupervisor(ctx: Context, options: SupervisorOptions = {}): AgentSupervisor {
  const emit = (event: SupervisorEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a listener's failure must not stop supervision
    }
  };
  const inFlight = new Map<string, Promise<void>>();
  const unreachable = new Set<string>();
  const log = (): SupervisionLog => ledgerOf(ctx).supervision;

  async function tick(): Promise<void> {
    const agents = resolveAgents(ctx.roster(true), ctx.env);
    const span = Math.max(HISTORY_SPAN_MS, ...agents.map((a) => a.restart.windowMs));
    const hosts = [...new Set(agents.map((a) => a.host))];
    // Hosts are observed in parallel; one that cannot be reached is reported and skipped.
    const seen = await Promise.all(hosts.map(async (host) => ({ host, panes: await observe(host, agents.filter((a) => a.host === host)) })));
    const records = log().list({ since: new Date(Date.now() - span) });
    for (const { panes } of seen) {
      for (const [agent, pane] of panes) {
        const key = `${agent.host}:${agent.name}`;
        if (inFlight.has(key) || pane.state !== 'dead') continue;
        const death: AgentDeath = { agent: agent.name, host: agent.host, life: pane.startedAt, exitStatus: pane.exitStatus, exitSignal: pane.exitSignal };
        let history = historyFrom(records, agent.name, agent.host, pane.startedAt);
        if (history.exitSeenAt === null) {
          const exit = log().recordExit(death);
          records.push(exit);
          history = { ...history, exitSeenAt: Date.parse(exit.at) };
          emit({ kind: 'agent-exited', agent: agent.name, host: agent.host, exitStatus: death.exitStatus, exitSignal: death.exitSignal, at: exit.at });
        }
        const decision = decide(agent.restart, { ...pane, life: pane.startedAt }, history, Date.now());
        if (decision.action === 'give-up') {
          records.push(log().recordGiveUp(death, decision.restarts, agent.restart.windowMs));
          emit({ kind: 'agent-given-up', agent: agent.name, host: agent.host, restarts: decision.restarts, windowSeconds: agent.restart.windowMs / 1000, exitStatus: death.exitStatus, exitSignal: death.exitSignal });
        } else if (decision.action === 'revive') {
          const task = revive(agent, death, decision.attempt, decision.delayMs).finally(() => inFlight.delete(key));
          inFlight.set(key, task);
        }
      }
    }
  }

  /** The roster agents of one host as its overview shows them; none when the host cannot be reached. */
  async function observe(host: string, agents: ResolvedAgent[]): Promise<Array<[ResolvedAgent, AgentStatus]>> {
    try {
      // Every tick: tmux on that host directly (its service, if any, would cost a relay process per look).
      const overview = await ctx.transport(host).overview(agents.map((a) => a.name), { direct: true });
      if (unreachable.delete(host)) emit({ kind: 'host-reachable', host });
      return agents.flatMap((agent) => {
        const pane = overview.agents.find((p) => p.name === agent.name && p.inRoster);
        return pane ? [[agent, pane] as [ResolvedAgent, AgentStatus]] : [];
      });
    } catch (error) {
      if (!(error instanceof FleetError) || !UNREACHABLE.has(error.code)) throw error;
      // Reported once per outage, not on every tick.
      if (!unreachable.has(host)) emit({ kind: 'host-unreachable', host, error: error.message });
      unreachable.add(host);
      return [];
    }
  }

  /** Revive one dead agent in place; everything that happens is recorded and reported, nothing is thrown. */
  async function revive(agent: ResolvedAgent, death: AgentDeath, attempt: number, delayMs: number): Promise<void> {
    let recordId: string | undefined;
    let result: RevivalResult;
    try {
      const transport = ctx.transport(agent.host);
      // Look again right before acting: a person may have started (or stopped) it since the tick looked.
      const now = await paneOf(agent);
      if (now?.state !== 'dead' || now.startedAt !== death.life) return;
      recordId = log().startRevival(death, attempt, delayMs).id;
      emit({ kind: 'agent-reviving', agent: agent.name, host: agent.host, attempt, delayMs });
      const launch = launchFor(agent, { socket: transport.address(), rosterPath: ctx.rosterPath(), env: ctx.env });
      const started = await transport.start(launch, {});
      if (started === 'already-running') {
        result = { outcome: 'skipped', newLife: null, pid: null, detail: 'already running: revived by someone else' };
      } else {
        const after = await paneOf(agent);
        result = { outcome: 'ready', newLife: after?.startedAt ?? null, pid: after?.pid ?? null };
        try {
          await transport.waitReady(launch);
        } catch (error) {
          result.outcome = error instanceof FleetError && error.code === 'PANE_DEAD' ? 'exited' : error instanceof FleetError && error.code === 'TIMEOUT' ? 'not-ready' : 'failed';
          result.detail = messageOf(error);
        }
        if (result.outcome === 'ready' && agent.restart.kickstart) {
          const [sent] = await kickstartAgents(ctx, [agent.name], options.from);
          if (sent?.report) result.kickstart = sent.report.status;
          else if (sent?.error) Object.assign(result, { kickstart: 'failed', detail: `kickstart: ${sent.error}` });
        }
      }
    } catch (error) {
      result = { outcome: 'failed', newLife: null, pid: null, detail: messageOf(error) };
    }
    if (recordId === undefined) return;
    try {
      log().finishRevival(recordId, result);
    } catch (error) {
      emit({ kind: 'supervisor-error', error: `cannot record the revival of ${agent.name}: ${messageOf(error)}` });
    }
    emit({
      kind: 'agent-revived',
      agent: agent.name,
      host: agent.host,
      attempt,
      delayMs,
      outcome: result.outcome,
      pid: result.pid,
      kickstart: result.kickstart ?? null,
      ...(result.detail ? { detail: result.detail } : {}),
    });
  }

  async function paneOf(agent: ResolvedAgent): Promise<AgentStatus | undefined> {
    return (await ctx.transport(agent.host).overview([agent.name], { direct: true })).agents.find((p) => p.name === agent.name && p.inRoster);
  }

  async function settle(): Promise<void> {
    while (inFlight.size > 0) await Promise.all([...inFlight.values()]);
  }

  async function run(signal: AbortSignal, intervalMs = DEFAULT_SUPERVISE_INTERVAL_MS): Promise<void> {
    while (!signal.aborted) {
      try {
        await tick();
      } catch (error) {
        emit({ kind: 'supervisor-error', error: messageOf(error) });
      }
      await pause(intervalMs, signal);
    }
    await settle();
  }

  return { tick, settle, run, reviving: () => [...inFlight.keys()] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
