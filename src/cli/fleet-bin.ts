#!/usr/bin/env node
import { addFleetCommands } from './fleet.js';
import { createProgram, runProgram } from './program.js';

const program = addFleetCommands(createProgram('mosaic-fleet', 'Run a durable fleet of AI coding agents in tmux: init, start, stop, status, verify, ...'));
process.exitCode = await runProgram(program, process.argv);
