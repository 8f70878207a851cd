import { ExitCode, UsageError } from '../errors.js';
import type { SendStatus } from '../core/send.js';

export function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number of seconds, not '${value}'`);
  return n;
}

export function parseCount(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} takes a whole number, not '${value}'`);
  return n;
}

/** Exit code for a delivery verdict: 0 submitted/queued/pending, 2 not confirmed (draft/held/unconfirmed), 1 failed (pane gone). */
export function exitCodeFor(status: SendStatus): number {
  switch (status) {
    case 'submitted':
    case 'queued':
    case 'pending':
      return ExitCode.ok;
    case 'draft':
    case 'held':
    case 'unconfirmed':
      return ExitCode.notConfirmed;
    case 'failed':
      return ExitCode.notFound;
  }
}
