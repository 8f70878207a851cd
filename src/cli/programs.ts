// The two programs, built the same way by our executables and by the fleet service (which runs a client's command
// line in-process, so its verdicts, output and exit codes are the direct path's by construction).
import type { Command } from 'commander';
import { addAgentCommands } from './agent.js';
import { addFleetCommands } from './fleet.js';
import { createProgram } from './program.js';
import { examples } from './common.js';
import { COMMON_EXITS, helpFooter } from './help.js';

export function fleetProgram(): Command {
  const program = addFleetCommands(createProgram('mosaic-fleet', 'Run a durable fleet of AI coding agents in tmux: init, start, stop, status, verify, ...'));
  examples(program, ['mosaic-fleet demo --rm', 'mosaic-fleet init --profile minimal --write', 'mosaic-fleet start', 'mosaic-fleet status', 'mosaic-fleet verify']);
  helpFooter(program, `0 ok, ${COMMON_EXITS} (each command's --help lists its own)`, ['guide.md']);
  return program;
}

export function agentProgram(): Command {
  const program = addAgentCommands(createProgram('mosaic-agent', 'Work with one agent of a mosaic fleet: send, status, reset, tail, ...'));
  examples(program, ['mosaic-agent send coder0 -m "status on #29?"', 'mosaic-agent status', 'mosaic-agent reset coder0', 'mosaic-agent send --help']);
  helpFooter(program, `0 ok, ${COMMON_EXITS} (each command's --help lists its own)`, ['guide.md']);
  return program;
}
