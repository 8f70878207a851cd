import { Ledger } from '../ledger/index.js';
import type { Context } from './context.js';

// Kept out of Context so commands that never touch the ledger (status, start) do not load it.
const ledgers = new WeakMap<Context, Ledger>();

/** The context's message ledger ($MOSAIC_LEDGER_DIR, else under $XDG_STATE_HOME/mosaic/fleet/). */
export function ledgerOf(ctx: Context): Ledger {
  let ledger = ledgers.get(ctx);
  if (!ledger) ledgers.set(ctx, (ledger = new Ledger(ctx.env.MOSAIC_LEDGER_DIR || Ledger.defaultDir(ctx.env))));
  return ledger;
}
