#!/usr/bin/env node
// Thin first: when the fleet service runs, the command is answered there and commander, zod and yaml never load here.
import { viaService } from '../service/client.cjs';

const served = await viaService('agent', process.argv.slice(2));
if (served !== null) process.exitCode = served;
else {
  const { agentProgram } = await import('./programs.js');
  const { runProgram } = await import('./program.js');
  process.exitCode = await runProgram(agentProgram(), process.argv);
}
