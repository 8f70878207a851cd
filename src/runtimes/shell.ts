import type { RuntimeProfile } from './types.js';
import { genericProfile } from './generic.js';

/** A plain shell agent: launched as the user's shell, no reset command (restart instead). */
export const shellProfile: RuntimeProfile = {
  ...genericProfile,
  name: 'shell',
  launch: (ctx) => ({ argv: [ctx.env.SHELL || process.env.SHELL || '/bin/bash'] }),
  resetCommand: null,
};
