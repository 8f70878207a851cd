#!/usr/bin/env node
// The installed `mosaic-agent` executable. CommonJS on purpose: when the fleet service runs, the command is answered
// there, and this process never starts Node's ESM loader nor loads commander, zod or yaml. Otherwise the full program
// runs here, exactly as `node dist/cli/agent-bin.js` runs it.
import { viaService } from '../service/client.cjs';

void (async () => {
  const served = await viaService('agent', process.argv.slice(2));
  if (served !== null) {
    process.exitCode = served;
    return;
  }
  const { agentProgram } = await import('./programs.js');
  const { runProgram } = await import('./program.js');
  process.exitCode = await runProgram(agentProgram(), process.argv);
})();
