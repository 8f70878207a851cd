import { Ledger } from '../ledger/index.js';
import type { Context } from './context.js';

// Kept out of Context so commands that never touch the ledger (status, start) do not load it.
// Keyed by the shared state: the commands the fleet service runs read one ledger incrementally.
const ledgers = new WeakMap<object, Ledger>();

/** The context's message ledger ($MOSAIC_LEDGER_DIR, else under $XDG_STATE_HOME/mosaic/fleet/). */
export function ledgerOf(ctx: Context): Ledger {
  let ledger = ledgers.get(ctx.shared);
  if (!ledger) ledgers.set(ctx.shared, (ledger = new Ledger(ledgerDir(ctx.env))));
  return ledger;
}

export function ledgerDir(env: NodeJS.ProcessEnv): string {
  return env.MOSAIC_LEDGER_DIR || Ledger.defaultDir(env);
}
