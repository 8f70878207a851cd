import { pc } from './colors.js';
import { ExitCode, FleetError, isFleetError } from '../errors.js';
import { currentInvocation } from '../invocation.js';

/** Where commands write: human/JSON results to stdout, logs and errors to stderr. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

// Inside the fleet service a command writes to its client's streams, not the service's.
export const processIo: Io = {
  out: (text) => write('out', text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => write('err', text.endsWith('\n') ? text : `${text}\n`),
};

function write(stream: 'out' | 'err', text: string): void {
  const inv = currentInvocation();
  if (inv) inv[stream](text);
  else (stream === 'out' ? process.stdout : process.stderr).write(text);
}

export const JSON_SCHEMA_VERSION = 1;

export function printJson(io: Io, document: Record<string, unknown>): void {
  io.out(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...document }, null, 2));
}

/** The one place errors become messages and exit codes. Never a stack trace for an expected failure. */
export function reportError(error: unknown, io: Io, json: boolean): number {
  const fleetError = isFleetError(error) ? error : toFleetError(error);
  if (json) {
    printJson(io, {
      ok: false,
      error: {
        code: fleetError.code,
        message: fleetError.message,
        ...(fleetError.hint ? { hint: fleetError.hint } : {}),
        ...(fleetError.details ? { details: fleetError.details } : {}),
        exitCode: fleetError.exitCode,
      },
    });
  }
  const [first, ...rest] = fleetError.message.split('\n');
  io.err(`${pc.red('error:')} ${first}`);
  for (const line of rest) io.err(`  ${line}`);
  if (fleetError.hint) io.err(`${pc.dim('hint:')} ${fleetError.hint}`);
  if (fleetError.code === 'INTERNAL' && error instanceof Error && (currentInvocation()?.env ?? process.env).MOSAIC_DEBUG) io.err(error.stack ?? '');
  return fleetError.exitCode;
}

function toFleetError(error: unknown): FleetError {
  if (error && typeof error === 'object' && 'code' in error && (error as { code: unknown }).code === 'commander.executeSubCommandAsync') {
    return new FleetError('INTERNAL', String(error));
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FleetError('INTERNAL', `unexpected failure: ${message}`, {
    hint: 'this is a bug in mosaic-fleet; rerun with MOSAIC_DEBUG=1 for the stack trace and report it',
    exitCode: ExitCode.internal,
  });
}
