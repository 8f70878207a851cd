// The install commands mounted on a bare program, exactly as src/cli/fleet.ts mounts them (runs the built dist/).
import { addInstallCommands } from '../../../dist/cli/commands/install.js';
import { createProgram, runProgram } from '../../../dist/cli/program.js';

const program = addInstallCommands(createProgram('mosaic-fleet', 'install commands under test'));
process.exitCode = await runProgram(program, process.argv);
