// `mosaic-agent log --follow`: after the history, one line per message as it is recorded or changes status. Inside
// the fleet service it wakes on the service's message events; on the direct path it looks at the ledger twice a second.
import type { MessageRecord } from '../ledger/index.js';
import { formatLogLine } from '../ledger/format.js';
import { currentInvocation } from '../invocation.js';
import type { Context } from './context.js';
import { ledgerOf } from './ledger.js';

const POLL_MS = 500;

export async function followLog(
  ctx: Context,
  filter: { agent?: string; status?: string[] },
  shown: readonly MessageRecord[],
  write: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const ledger = ledgerOf(ctx);
  const last = new Map(shown.map((r) => [r.id, r.status]));
  const since = new Date(Date.now() - 60_000);
  const look = () => {
    for (const r of ledger.list({ ...(filter.agent ? { agent: filter.agent } : {}), since })) {
      if (last.get(r.id) === r.status) continue;
      last.set(r.id, r.status);
      if (!filter.status || filter.status.includes(r.status)) write(formatLogLine(r));
    }
  };
  let wake: (() => void) | null = null;
  const unsubscribe = currentInvocation()?.subscribe?.((event) => {
    if (event.kind === 'message') wake?.();
  });
  try {
    while (!signal.aborted) {
      look();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, unsubscribe ? 5_000 : POLL_MS);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    unsubscribe?.();
  }
}
