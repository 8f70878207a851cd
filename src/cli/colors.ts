// Colours decided per command, not per process: inside the fleet service a command colours its output as its
// client's terminal and environment would (picocolors alone decides once, from the service's own).
import picocolors from 'picocolors';
import { currentInvocation, type Invocation } from '../invocation.js';

type Colors = ReturnType<typeof picocolors.createColors>;

const byInvocation = new WeakMap<Invocation, Colors>();

function current(): Colors {
  const inv = currentInvocation();
  if (!inv) return picocolors;
  let colors = byInvocation.get(inv);
  if (!colors) byInvocation.set(inv, (colors = picocolors.createColors(wantsColor(inv))));
  return colors;
}

/** picocolors' own rule, applied to the client's environment and terminal. */
function wantsColor(inv: Invocation): boolean {
  if (inv.env.NO_COLOR) return false;
  return Boolean(inv.env.FORCE_COLOR) || (inv.stdoutIsTTY && inv.env.TERM !== 'dumb') || Boolean(inv.env.CI);
}

export const pc: Colors = new Proxy({} as Colors, { get: (_target, key) => current()[key as keyof Colors] });
