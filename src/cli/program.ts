import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import { packageVersion } from '../paths.js';
import { printJson, processIo, type Io } from './io.js';
import { currentInvocation } from '../invocation.js';

/** A root program for one of our executables: commander errors become exit code 3 instead of process.exit. */
export function createProgram(name: string, description: string, io: Io = processIo): Command {
  return new Command(name)
    .description(description)
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .exitOverride();
}

/** A reader that closed our stdout (`| head`) is not an error worth a stack trace. */
export function tolerateClosedStdout(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

/** --json among the options (before a `--` that ends them). */
function wantsJson(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

/** Parse argv and run; resolves to the exit code (the bins set process.exitCode, never call process.exit). */
export async function runProgram(program: Command, argv: string[], io: Io = processIo): Promise<number> {
  const inv = currentInvocation();
  if (!inv) tolerateClosedStdout();
  try {
    await program.parseAsync(argv);
    const code = inv ? inv.exitCode : process.exitCode;
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      // commander already said what is wrong on stderr; --json still gets its one document, with the exit code.
      if (wantsJson(argv.slice(2))) printJson(io, { ok: false, error: { code: 'USAGE', message: error.message.replace(/^error: /, ''), hint: 'run with --help for usage', exitCode: ExitCode.usage } });
      return ExitCode.usage;
    }
    throw error;
  }
}
