import type { Command } from 'commander';
import { processIo, reportError, type Io } from './io.js';
import { currentInvocation } from '../invocation.js';

/** Wrap a command body: errors go through reportError, the exit code goes to process.exitCode (never process.exit),
 *  so the same handlers work in our executables and when mounted into someone else's commander program. */
export function action<A extends unknown[]>(
  body: (io: Io, ...args: A) => Promise<number | void>,
  io: Io = processIo,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const json = Boolean(command?.opts?.()?.json);
    try {
      const code = await body(io, ...args);
      if (typeof code === 'number' && code !== 0) setExitCode(code);
    } catch (error) {
      setExitCode(reportError(error, io, json));
    }
  };
}

/** The exit code of this command: the invocation's inside the fleet service, else the process's. */
function setExitCode(code: number): void {
  const inv = currentInvocation();
  if (inv) inv.exitCode = code;
  else process.exitCode = code;
}
