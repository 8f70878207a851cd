import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { kickstartVars, parseKickstartVars, renderKickstart } from '../roster/kickstart.js';
import { profileFor } from '../runtimes/registry.js';
import type { ResolvedAgent } from '../roster/resolve.js';
import type { Context } from './context.js';
import type { OnProgress } from './progress.js';
import { selectAgents } from './fleet.js';
import { launchFor } from './launch.js';
import { agentAddress, resolveTarget } from './targets.js';
import { sendMessage, type SendReport } from './send.js';
import { detectSelf, localShortHostname } from './identity.js';
import { parseEndpoint } from '../delivery/body.js';
import { ledgerOf } from './ledger.js';
import { pause } from './pause.js';

export interface ResetInput {
  agent: string;
  mode?: 'clear' | 'new';
  kickstart?: string;
  kickstartFile?: string;
  noKickstart?: boolean;
  vars?: string[];
  from?: string;
  confirmSeconds?: number;
  onProgress?: OnProgress;
}

export interface ResetReport {
  agent: string;
  method: 'command' | 'restart';
  command: string | null;
  confirmed: boolean;
  detail?: string;
  latencyMs: number;
  kickstart: SendReport | null;
}

/** Reset a reusable slot: the runtime's reset command through the verified path, confirmation that a fresh
 *  conversation is showing, then the kickstart. A runtime with no reset command is restarted instead. */
export async function resetAgent(ctx: Context, input: ResetInput): Promise<ResetReport> {
  const [agent] = selectAgents(ctx, [input.agent]) as [ResolvedAgent];
  const transport = ctx.transport(agent.host);
  const profile = profileFor(agent.baseRuntime);
  const command = input.mode ? `/${input.mode}` : agent.resetCommand === undefined ? profile.resetCommand : agent.resetCommand;
  const kickstartText = kickstartFor(ctx, agent, input);
  const started = Date.now();
  const steps = kickstartText === null ? 1 : 2;
  input.onProgress?.({ what: command === null ? `${agent.name}: restarting (no reset command)` : `${agent.name}: ${command}, waiting for a fresh conversation`, done: 0, total: steps });
  let confirmed: boolean;
  let detail: string | undefined;
  if (command === null) {
    const launch = launchFor(agent, { socket: transport.address(), rosterPath: ctx.rosterPath(), env: ctx.env });
    await transport.start(launch, { replace: true });
    await transport.waitReady(launch);
    confirmed = true;
  } else {
    const ledger = ledgerOf(ctx);
    const self = input.from ? parseEndpoint(input.from) : await detectSelf(ctx.env);
    const record = ledger.create({ kind: 'reset', from: self, to: { host: await transport.hostLabel(), session: agent.name }, body: command, text: command });
    ledger.startAttempt(record.id);
    try {
      const result = await transport.reset(`=${agent.name}`, command, {
        profile: profile.name,
        confirmTimeoutMs: (input.confirmSeconds ?? 15) * 1000,
        readyTimeoutMs: agent.readyTimeoutMs,
      });
      confirmed = result.confirmed;
      detail = result.detail;
      ledger.finishAttempt(record.id, result.confirmed ? 'submitted' : result.status === 'submitted' ? 'unconfirmed' : result.status, {
        latencyMs: result.latencyMs,
        ...(result.detail ? { detail: result.detail } : {}),
      });
    } catch (error) {
      ledger.finishAttempt(record.id, 'failed', { detail: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }
  const report: ResetReport = {
    agent: agent.name,
    method: command === null ? 'restart' : 'command',
    command,
    confirmed,
    latencyMs: Date.now() - started,
    kickstart: null,
    ...(detail ? { detail } : {}),
  };
  // A reset that did not take gets no kickstart: it would land in the old conversation.
  if (!confirmed || kickstartText === null) return report;
  input.onProgress?.({ what: `${agent.name}: sending the kickstart`, done: 1, total: steps });
  report.kickstart = await sendMessage(
    ctx,
    { target: agentAddress(agent), body: kickstartText, preamble: true, raw: false, ...(input.from ? { from: input.from } : {}) },
    { kind: 'kickstart' },
  );
  return report;
}

/** Send each named agent its rendered kickstart (after `start`): through the verified path, one record each. */
export async function kickstartAgents(ctx: Context, names: string[], from?: string): Promise<{ agent: string; report?: SendReport; error?: string }[]> {
  const out: { agent: string; report?: SendReport; error?: string }[] = [];
  for (const agent of selectAgents(ctx, names)) {
    try {
      const text = kickstartFor(ctx, agent, {});
      if (text === null) continue;
      const report = await sendMessage(ctx, { target: agentAddress(agent), body: text, preamble: true, raw: false, ...(from ? { from } : {}) }, { kind: 'kickstart' });
      out.push({ agent: agent.name, report });
    } catch (error) {
      out.push({ agent: agent.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}

function kickstartFor(ctx: Context, agent: ResolvedAgent, input: Partial<ResetInput>): string | null {
  if (input.noKickstart) return null;
  if (input.kickstart !== undefined && input.kickstartFile !== undefined) throw new UsageError('give --kickstart or --kickstart-file, not both');
  if (input.kickstart !== undefined) return input.kickstart;
  if (input.kickstartFile !== undefined) {
    try {
      return readFileSync(input.kickstartFile, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${input.kickstartFile}: ${(error as Error).message}`);
    }
  }
  const vars = kickstartVars(
    { name: agent.name, class: agent.class, host: agent.host === 'local' ? localShortHostname() : agent.host, runtime: agent.runtime, workingDirectory: agent.workingDirectory },
    socketLabel(ctx),
    parseKickstartVars(input.vars ?? []),
  );
  return renderKickstart(agent.kickstartTemplate, vars);
}

function socketLabel(ctx: Context): string {
  const s = ctx.socket();
  return s.name ?? s.path ?? 'default';
}

/** Last `lines` lines of an agent's pane (scrollback included). */
export async function tailAgent(ctx: Context, target: string, lines: number): Promise<string> {
  const where = resolveTarget(ctx, agentTarget(ctx, target));
  return where.transport.tail(where.target, lines);
}

/** Follow an agent's pane like `tail -f`: the last `lines` lines once, then only lines that are new or changed,
 *  until `signal` aborts. Each poll compares a window of the same size with the one before. */
export async function followAgent(ctx: Context, target: string, lines: number, write: (text: string) => void, signal: AbortSignal, everyMs = 400): Promise<void> {
  const where = resolveTarget(ctx, agentTarget(ctx, target));
  const transport = where.transport;
  const t = where.target;
  const window = Math.max(lines, FOLLOW_WINDOW);
  let previous = splitLines(await transport.tail(t, window));
  if (lines > 0 && previous.length > 0) write(previous.slice(-lines).join('\n'));
  while (!signal.aborted) {
    await pause(everyMs, signal);
    if (signal.aborted) break;
    // Polled: tmux directly, not a relay process per look on a remote host's service.
    const current = splitLines(await transport.tail(t, window, { direct: true }));
    const fresh = freshLines(previous, current);
    if (fresh.length > 0) write(fresh.join('\n'));
    previous = current;
  }
}

// Enough lines to find the old window in the new one although a busy pane scrolled between two polls.
const FOLLOW_WINDOW = 200;

function splitLines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** What `current` shows that `previous` did not: the two windows are aligned on the scroll offset that keeps the most
 *  lines in place; from the first difference on, every line that is not the same line at the same place as before.
 *  An idle pane gives nothing, appended output gives exactly the new lines, a redrawn status line gives that line. */
export function freshLines(previous: string[], current: string[]): string[] {
  let best = { shift: 0, kept: -1 };
  for (let shift = 0; shift <= previous.length; shift += 1) {
    let kept = 0;
    while (kept < current.length && shift + kept < previous.length && previous[shift + kept] === current[kept]) kept += 1;
    if (kept > best.kept) best = { shift, kept };
    if (kept === current.length) break;
  }
  const from = best.shift + best.kept;
  return current.slice(best.kept).filter((line, i) => previous[from + i] !== line);
}

/** A bare name becomes an exact session target; =x, x:0.0 and %N pass through as given. */
export function agentTarget(_ctx: Context, target: string): string {
  return /^[=%]/.test(target) || target.includes(':') ? target : `=${target}`;
}

/** How to attach to an agent: the exact argv (tmux on this machine, or ssh -t to its host). */
export async function attachCommand(ctx: Context, target: string): Promise<string[]> {
  const where = resolveTarget(ctx, agentTarget(ctx, target));
  return where.transport.attachCommand(where.target);
}
