#!/usr/bin/env node
import { addAgentCommands } from './agent.js';
import { createProgram, runProgram } from './program.js';

const program = addAgentCommands(createProgram('mosaic-agent', 'Work with one agent of a mosaic fleet: send, status, reset, tail, ...'));
process.exitCode = await runProgram(program, process.argv);
