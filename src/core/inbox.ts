import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError, FleetError } from '../errors.js';
import type { MessageRecord } from '../ledger/index.js';
import type { Context } from './context.js';
import { detectSelf } from './identity.js';
import { sendMessage, type SendReport } from './send.js';
import type { Endpoint } from '../delivery/body.js';
import { ledgerOf } from './ledger.js';

/** Who "me" is for inbox/reply: --agent, else the tmux session this command runs in. */
export async function whoAmI(ctx: Context, agent?: string): Promise<Endpoint> {
  const self = await detectSelf(ctx.env);
  if (agent) return { host: self.host, session: agent };
  if (self.session === '?') {
    throw new UsageError('not inside an agent\'s tmux session, so there is no inbox to read', 'run it inside the agent\'s session, or name the agent with --agent NAME');
  }
  return self;
}

/** The newest `n` messages delivered to `me`, oldest first: this machine's ledger plus the copies senders on
 *  other machines left here (see Transport.storeInboxCopy). */
export async function readInbox(ctx: Context, me: Endpoint, n: number): Promise<MessageRecord[]> {
  const byId = new Map<string, MessageRecord>();
  for (const r of ledgerOf(ctx).inbox(me.session, n)) byId.set(r.id, r);
  for (const r of readInboxCopies(ctx, me.session)) if (!byId.has(r.id)) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => a.created.localeCompare(b.created)).slice(-n);
}

function readInboxCopies(ctx: Context, session: string): MessageRecord[] {
  const dir = join(dirname(ledgerOf(ctx).dir), 'inbox', session);
  if (!existsSync(dir)) return [];
  const out: MessageRecord[] = [];
  for (const f of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as MessageRecord);
    } catch {
      // a copy being written right now, or damaged: skip it
    }
  }
  return out;
}

/** Answer the sender of the newest message in my inbox, preamble flipped: [me -> them]. */
export async function reply(ctx: Context, me: Endpoint, body: string): Promise<{ inReplyTo: string; report: SendReport }> {
  const [last] = (await readInbox(ctx, me, 1)).slice(-1);
  if (!last) throw new FleetError('TARGET_NOT_FOUND', `no message in ${me.session}'s inbox to reply to`, { hint: 'see it with `mosaic-agent inbox`' });
  if (last.from.session === '?') {
    throw new FleetError('TARGET_NOT_FOUND', `the newest message (${last.id}) was sent from outside tmux, so it has no reply address`, { hint: 'send to the agent by name with `mosaic-agent send`' });
  }
  const report = await sendMessage(
    ctx,
    { target: `=${last.from.session}`, body, from: `${me.host}:${me.session}`, toHost: last.from.host, preamble: true, raw: false },
    { kind: 'reply' },
  );
  return { inReplyTo: last.id, report };
}
