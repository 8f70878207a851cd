#!/usr/bin/env node
import { addAgentCommands } from './agent.js';
import { createProgram, runProgram } from './program.js';
import { examples } from './common.js';
import { COMMON_EXITS, helpFooter } from './help.js';

const program = addAgentCommands(createProgram('mosaic-agent', 'Work with one agent of a mosaic fleet: send, status, reset, tail, ...'));
examples(program, ['mosaic-agent send coder0 -m "status on #29?"', 'mosaic-agent status', 'mosaic-agent reset coder0', 'mosaic-agent send --help']);
helpFooter(program, `0 ok, ${COMMON_EXITS} (each command's --help lists its own)`, ['guide.md']);
process.exitCode = await runProgram(program, process.argv);
