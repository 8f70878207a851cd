// The append-only JSON-lines files under the ledger directory: one durable append per event, and an incremental
// reader that survives torn lines.
//
// Why appends never interleave: every event is ONE write(2) of a whole line on an fd opened with O_APPEND. On Linux
// local filesystems (ext4, xfs, btrfs, tmpfs) the kernel takes the inode lock for the whole write and moves the
// offset to end-of-file under it, so concurrent appenders' lines land one after another, never mixed. This is not
// true on NFS (O_APPEND is emulated client-side), so the ledger directory must be local. test/ledger proves it with
// several writer processes.
//
// Why a line can still be torn: a crash or power loss mid-write, ENOSPC, or a reader racing a writer (buffered reads
// do not take the inode lock and may see a write half-copied). So the reader
//   - keeps bytes after the last '\n' as a "partial tail": skipped and reported, re-read on the next refresh;
//   - splits a line at every event marker `{"mfl":`, because a crash leaves an unterminated fragment that the next
//     writer's line is glued onto. The marker cannot occur inside a JSON string (the quote would be escaped as \")
//     and no nested object starts with that key, so every marker is the start of an event.
import { closeSync, constants, fdatasyncSync, fstatSync, mkdirSync, openSync, readSync, writeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import { FleetError } from '../errors.js';
import type { LedgerWarning } from './types.js';

export const EVENT_MARKER = '{"mfl":';
const MARKER = Buffer.from(EVENT_MARKER);
const NEWLINE = 0x0a;
const EXCERPT_CHARS = 80;
const IDENTITY_BYTES = 64; // covers the marker and the id of the first event

/** Append one line durably: a single O_APPEND write, then fdatasync (the data and the new file size are on disk). */
export function appendLine(file: string, line: string): void {
  const bytes = Buffer.from(line.endsWith('\n') ? line : `${line}\n`);
  try {
    const fd = openLog(file);
    try {
      const written = writeSync(fd, bytes);
      // A short write leaves a torn line; finishing it with a second write could land after someone else's line.
      if (written !== bytes.length) throw ioError(`short write (${written} of ${bytes.length} bytes)`, file);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw error instanceof FleetError ? error : ioError((error as Error).message, file, error);
  }
}

function openLog(file: string): number {
  try {
    return openSync(file, constants.O_WRONLY | constants.O_APPEND, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // A new file: its directory entry must be durable too, or a crash could lose the whole file.
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  syncDir(dirname(file));
  return fd;
}

/** Create `target` (and its parents) if needed; directories created here are synced into their parents, or a crash
 *  could lose a record that an append reported durable. */
export function ensureDurableDir(target: string): void {
  let first: string | undefined;
  try {
    first = mkdirSync(target, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw ioError((error as Error).message, target, error);
  }
  if (first === undefined) return;
  for (let dir = target; ; dir = dirname(dir)) {
    syncDir(dirname(dir));
    if (dir === first) break;
  }
}

/** fsync a directory so entries created in it survive a crash. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function ioError(message: string, path: string, cause?: unknown): FleetError {
  return new FleetError('INTERNAL', `message ledger: ${message}: ${path}`, {
    hint: 'the ledger directory must be a writable local filesystem (set XDG_STATE_HOME to move it)',
    details: { path },
    cause,
  });
}

/** Reads one log file incrementally: each refresh parses only bytes appended since the last complete line. */
export class LogReader {
  private offset = 0;
  /** The file we folded: device, inode and its first bytes (inode numbers are reused at once on ext4, and birth
   *  times are not always available, but the first event's id differs between two files of one day). */
  private identity = '';
  private tail: LedgerWarning | undefined;

  constructor(readonly file: string) {}

  /** Bytes after the last newline: a write in progress or a line torn by a crash; re-read on every refresh. */
  get partialTail(): LedgerWarning | undefined {
    return this.tail;
  }

  /** Parse newly appended complete lines, passing each event (parsed JSON) to `onEvent` and each torn line to `warn`.
   *  Returns false when the file was replaced or shrank, after which the caller must start over from scratch. */
  refresh(onEvent: (event: unknown, offset: number) => void, warn: (warning: LedgerWarning) => void): boolean {
    const chunk = this.readNew();
    if (chunk === 'reset') return false;
    if (chunk !== undefined) {
      const end = chunk.lastIndexOf(NEWLINE) + 1;
      parseLines(chunk.subarray(0, end), this.offset, this.file, onEvent, warn);
      this.offset += end;
      this.tail = end < chunk.length ? warning(this.file, this.offset, 'partial-tail', chunk.subarray(end)) : undefined;
    }
    return true;
  }

  private readNew(): Buffer | 'reset' | undefined {
    let fd: number;
    try {
      fd = openSync(this.file, constants.O_RDONLY);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.identity === '' ? undefined : 'reset';
      throw ioError((error as Error).message, this.file, error);
    }
    try {
      const stat = fstatSync(fd);
      const identity = `${stat.dev}:${stat.ino}:${readRange(fd, 0, Math.min(stat.size, IDENTITY_BYTES)).toString('latin1')}`;
      if (this.identity !== '' && (!identity.startsWith(this.identity) || stat.size < this.offset)) return 'reset';
      this.identity = identity;
      if (stat.size === this.offset) return undefined;
      return readRange(fd, this.offset, stat.size - this.offset);
    } finally {
      closeSync(fd);
    }
  }
}

function readRange(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/** Split complete lines; a line that is not one event is re-split at event markers (see the header). */
function parseLines(
  bytes: Buffer,
  base: number,
  file: string,
  onEvent: (event: unknown, offset: number) => void,
  warn: (warning: LedgerWarning) => void,
): void {
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(NEWLINE, start);
    const line = bytes.subarray(start, end);
    if (line.length > 0) parseLine(line, base + start, file, onEvent, warn);
    start = end + 1;
  }
}

function parseLine(
  line: Buffer,
  offset: number,
  file: string,
  onEvent: (event: unknown, offset: number) => void,
  warn: (warning: LedgerWarning) => void,
): void {
  const whole = tryParse(line);
  if (whole !== undefined && line.subarray(0, MARKER.length).equals(MARKER)) return onEvent(whole, offset);
  for (const [at, piece] of splitAtMarkers(line)) {
    const event = piece.subarray(0, MARKER.length).equals(MARKER) ? tryParse(piece) : undefined;
    if (event === undefined) warn(warning(file, offset + at, 'torn', piece));
    else onEvent(event, offset + at);
  }
}

function splitAtMarkers(line: Buffer): Array<[number, Buffer]> {
  const pieces: Array<[number, Buffer]> = [];
  let start = 0;
  for (;;) {
    const next = line.indexOf(MARKER, start + 1);
    if (next === -1) break;
    pieces.push([start, line.subarray(start, next)]);
    start = next;
  }
  pieces.push([start, line.subarray(start)]);
  return pieces;
}

function tryParse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function warning(file: string, offset: number, kind: LedgerWarning['kind'], bytes: Buffer | string): LedgerWarning {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  return { file, offset, kind, excerpt: text.slice(0, EXCERPT_CHARS) };
}
