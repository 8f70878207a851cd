// What the view's keys do, through the same core functions the CLI commands call (send, reset, restart, deliver,
// attach). Each returns one line for the view's footer.
import type { Context } from '../core/context.js';
import type { Notice } from './controller.js';

export interface TopActions {
  /** The argv that attaches this terminal to the agent (tmux on this machine, ssh -t for a remote one). */
  attachArgv(target: string): Promise<string[]>;
  send(target: string, body: string): Promise<Notice>;
  reset(target: string): Promise<Notice>;
  restart(target: string): Promise<Notice>;
  deliver(): Promise<Notice>;
}

/** `=name` (a local agent, exact) or `host:name` as the roster commands take it. */
function agentName(target: string): string {
  return target.startsWith('=') ? target.slice(1) : target;
}

const ok = (verdict: string) => verdict === 'submitted' || verdict === 'queued' || verdict === 'pending';

export function coreActions(ctx: Context, options: { from?: string } = {}): TopActions {
  return {
    async attachArgv(target) {
      const { attachCommand } = await import('../core/agent.js');
      return attachCommand(ctx, target);
    },
    async send(target, body) {
      const { sendMessage } = await import('../core/send.js');
      const r = await sendMessage(ctx, { target, body, preamble: true, raw: false, ...(options.from ? { from: options.from } : {}) });
      const line = `${r.status} [${r.from.host}:${r.from.session} -> ${r.to.host}:${r.to.session}] ${r.latencyMs} ms, id ${r.id}${r.detail ? `: ${r.detail}` : ''}`;
      return { text: line, tone: ok(r.status) ? 'good' : 'bad' };
    },
    async reset(target) {
      const { resetAgent } = await import('../core/agent.js');
      const r = await resetAgent(ctx, { agent: agentName(target), ...(options.from ? { from: options.from } : {}) });
      const how = r.method === 'restart' ? 'restarted (no reset command)' : `${r.command} ${r.confirmed ? 'confirmed' : 'NOT confirmed'}`;
      const kick = r.kickstart ? `, kickstart ${r.kickstart.status}` : r.confirmed ? ', no kickstart' : ', no kickstart sent';
      return { text: `reset ${agentName(target)}: ${how}${kick}${r.detail ? ` (${r.detail})` : ''}`, tone: r.confirmed && (!r.kickstart || ok(r.kickstart.status)) ? 'good' : 'bad' };
    },
    async restart(target) {
      const { restartFleet } = await import('../core/fleet.js');
      const r = await restartFleet(ctx, [agentName(target)]);
      const a = r.agents[0];
      if (!a) return { text: `restart ${agentName(target)}: nothing to do`, tone: 'info' };
      return { text: `restart ${a.name}: ${a.error ?? (a.ready ? 'ready' : a.outcome)}`, tone: a.error ? 'bad' : 'good' };
    },
    async deliver() {
      const { deliverPending } = await import('../core/deliver-pending.js');
      const r = await deliverPending(ctx);
      const bad = r.delivered.filter((d) => !ok(d.outcome)).length;
      return { text: `deliver: ${r.delivered.length} delivered${bad ? ` (${bad} not confirmed)` : ''}, ${r.expired.length} expired, ${r.waiting} still pending`, tone: bad ? 'bad' : 'good' };
    },
  };
}
