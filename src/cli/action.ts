import type { Command } from 'commander';
import { processIo, reportError, type Io } from './io.js';

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
      if (typeof code === 'number' && code !== 0) process.exitCode = code;
    } catch (error) {
      process.exitCode = reportError(error, io, json);
    }
  };
}
