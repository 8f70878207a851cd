#!/usr/bin/env node
import { addFleetCommands } from './fleet.js';
import { createProgram, runProgram } from './program.js';
import { examples } from './common.js';
import { COMMON_EXITS, helpFooter } from './help.js';

const program = addFleetCommands(createProgram('mosaic-fleet', 'Run a durable fleet of AI coding agents in tmux: init, start, stop, status, verify, ...'));
examples(program, ['mosaic-fleet demo --rm', 'mosaic-fleet init --profile minimal --write', 'mosaic-fleet start', 'mosaic-fleet status', 'mosaic-fleet verify']);
helpFooter(program, `0 ok, ${COMMON_EXITS} (each command's --help lists its own)`, ['guide.md']);
process.exitCode = await runProgram(program, process.argv);
