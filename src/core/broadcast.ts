import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { resolveAgents } from '../roster/resolve.js';
import type { Context } from './context.js';
import type { OnProgress } from './progress.js';
import { detectSelf } from './identity.js';
import { sendMessage, type SendReport } from './send.js';

export interface BroadcastInput {
  agents: string[];
  className?: string;
  all?: boolean;
  body: string;
  from?: string;
  concurrency?: number;
  timeoutSeconds?: number;
  onProgress?: OnProgress;
}

export interface BroadcastResult {
  group: string;
  results: ({ agent: string } & ({ report: SendReport } | { error: string; exitCode: number }))[];
}

/** One ledger record per target, delivered in parallel (bounded); the sender's own session is never a target. */
export async function broadcast(ctx: Context, input: BroadcastInput): Promise<BroadcastResult> {
  const chosen = [input.all ? 1 : 0, input.className ? 1 : 0, input.agents.length > 0 ? 1 : 0].reduce((a, b) => a + b, 0);
  if (chosen !== 1) throw new UsageError('choose the targets one way: --all, --class CLASS, or agent names');
  const roster = resolveAgents(ctx.roster(true), ctx.env);
  const self = input.from ? input.from.split(':').slice(1).join(':') : (await detectSelf(ctx.env)).session;
  let targets = input.all ? roster : input.className ? roster.filter((a) => a.class === input.className) : roster.filter((a) => input.agents.includes(a.name));
  const unknown = input.agents.filter((n) => !roster.some((a) => a.name === n));
  if (unknown.length > 0) throw new UsageError(`not in the roster: ${unknown.join(', ')}`);
  targets = targets.filter((a) => a.name !== self);
  if (targets.length === 0) throw new UsageError('no agent matches (the sender itself is never a target)');
  const group = `b${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const queue = [...targets];
  const results: BroadcastResult['results'] = [];
  const sending = new Set<string>();
  const progress = () => input.onProgress?.({ what: `delivering to ${[...sending].join(', ') || '…'}`, done: results.length, total: targets.length });
  const worker = async () => {
    for (let agent = queue.shift(); agent; agent = queue.shift()) {
      sending.add(agent.name);
      progress();
      try {
        const report = await sendMessage(
          ctx,
          {
            target: `=${agent.name}`,
            body: input.body,
            preamble: true,
            raw: false,
            ...(input.from ? { from: input.from } : {}),
            ...(input.timeoutSeconds ? { timeoutSeconds: input.timeoutSeconds } : {}),
          },
          { kind: 'broadcast', group },
        );
        results.push({ agent: agent.name, report });
      } catch (error) {
        results.push({ agent: agent.name, error: error instanceof Error ? error.message : String(error), exitCode: (error as { exitCode?: number }).exitCode ?? 1 });
      }
      sending.delete(agent.name);
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency ?? 8, targets.length) }, worker));
  results.sort((a, b) => targets.findIndex((t) => t.name === a.agent) - targets.findIndex((t) => t.name === b.agent));
  return { group, results };
}
