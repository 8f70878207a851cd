// Message ids: sortable by creation time as plain strings, unique without coordination, and carrying their day
// so a record's day file is known from the id alone.
import { randomBytes } from 'node:crypto';

const TIME_CHARS = 9; // base36 epoch ms fits in 9 chars until the year 5188
const RANDOM_CHARS = 6;
const ID_PATTERN = /^[0-9a-z]{9}-[0-9a-z]{6}$/;

/** A new id for a record created at `now`: `<9 base36 ms>-<6 random base36>`, e.g. `0mi8f2k3q-x7c2ab`. */
export function newId(now: Date = new Date()): string {
  const time = now.getTime().toString(36).padStart(TIME_CHARS, '0');
  return `${time}-${randomBase36(RANDOM_CHARS)}`;
}

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** The creation time encoded in an id. */
export function idTime(id: string): Date {
  return new Date(parseInt(id.slice(0, TIME_CHARS), 36));
}

/** The UTC day ('YYYY-MM-DD') whose file holds every event of this id. */
export function idDay(id: string): string {
  return utcDay(idTime(id));
}

export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

function randomBase36(length: number): string {
  // 36^6 ≈ 2.2e9 per millisecond: collisions need billions of ids in one ms.
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += (byte % 36).toString(36);
  return out;
}
