import { randomBytes } from 'node:crypto';

/** Time-sortable unique message id: base36 milliseconds + 6 random hex chars. */
export function newMessageId(now = Date.now()): string {
  return `m${now.toString(36)}${randomBytes(3).toString('hex')}`;
}
