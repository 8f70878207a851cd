// Who may deliver a message right now, decided across processes with nothing but link(2).
//
// claims/<id>/<generation> files, each holding its owner's ProcessRef. A claimant reads the highest generation g:
// absent, released, or owned by a dead process => it tries to create g+1. The file is written to a temp name and
// hard-linked into place, so it appears atomically with its content and link(2) fails with EEXIST for every
// claimant but one. Generations only grow while a message is open, so "g is free" can never be judged twice in a
// way that lets two claimants win: whoever judged g free races for g+1, and g+1 has exactly one creator.
// Claim files of a message are deleted only once its status is final; a late claimant that then wins a fresh
// generation re-reads the status and steps back (the Ledger does that check), so deletion is harmless.
import { linkSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isAlive, selfRef } from './proc.js';
import { ioError } from './journal.js';
import type { ProcessRef } from './types.js';

interface ClaimFile {
  owner: ProcessRef;
  at: string;
  /** Set by release() while the message is still open: the next claimant may take it. */
  released?: boolean;
}

const MAX_ROUNDS = 16;
const TEMP_PREFIX = '.tmp-';
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

export class ClaimStore {
  constructor(private readonly dir: string) {}

  /** Try to become the one owner of `id`. Not re-entrant: a second claim by the owner returns false. */
  acquire(id: string): boolean {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const top = this.top(id);
      if (top !== undefined && holds(top.file)) return false;
      if (this.create(id, (top?.generation ?? 0) + 1, { owner: selfRef(), at: new Date().toISOString() })) return true;
      // Someone else created that generation first: look again (it is theirs unless they died already).
    }
    return false;
  }

  /** Give up our claim on a message that is still open, so another deliverer may take it. */
  release(id: string): void {
    const top = this.top(id);
    if (!top || !ownedBySelf(top.file) || top.file.released) return;
    this.create(id, top.generation + 1, { owner: selfRef(), at: new Date().toISOString(), released: true });
  }

  /** Drop all claim files of a message whose status is final. */
  remove(id: string): void {
    const dir = join(this.dir, id);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      for (const name of this.names(dir)) unlinkIfThere(join(dir, name));
      try {
        rmdirSync(dir);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        // A late claimant linked a new generation in meanwhile (it will see the final status and step back).
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw ioError((error as Error).message, dir, error);
      }
    }
    // Still being written to: the next collection removes it.
  }

  /** Ids that have claim files, and leftover temp files from crashed claimants are removed. */
  ids(): string[] {
    const names = this.names(this.dir);
    for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX))) this.removeOldTemp(join(this.dir, name));
    return names.filter((n) => !n.startsWith(TEMP_PREFIX));
  }

  private top(id: string): { generation: number; file: ClaimFile } | undefined {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const generation = Math.max(0, ...this.names(join(this.dir, id)).map(Number).filter(Number.isInteger));
      if (generation === 0) return undefined;
      const file = readClaim(join(this.dir, id, String(generation)));
      if (file) return { generation, file };
      // Deleted between readdir and read (the message just became final): read again.
    }
    return undefined;
  }

  /** Atomically create claims/<id>/<generation> with its content; false if it already exists. */
  private create(id: string, generation: number, content: ClaimFile): boolean {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
    try {
      return linkInto(temp, join(this.dir, id), String(generation));
    } finally {
      unlinkSync(temp);
    }
  }

  private names(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError((error as Error).message, dir, error);
    }
  }

  private removeOldTemp(path: string): void {
    try {
      if (Date.now() - statSync(path).mtimeMs > TEMP_MAX_AGE_MS) unlinkSync(path);
    } catch {
      // Gone already, or someone else's: not ours to worry about.
    }
  }
}

function linkInto(temp: string, dir: string, name: string): boolean {
  for (let round = 0; round < 2; round++) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      linkSync(temp, join(dir, name));
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // ENOENT: remove() deleted the directory between mkdir and link; make it again once.
      if (code !== 'ENOENT') throw ioError((error as Error).message, dir, error);
    }
  }
  return false;
}

function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError((error as Error).message, path, error);
  }
}

function readClaim(path: string): ClaimFile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ClaimFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable content cannot come from link(); treat it as a dead owner's file so the message is not stuck.
    return { owner: { pid: 0, machine: '' }, at: '', released: true };
  }
}

/** The claim still blocks others: not released, and its owner is alive or on another machine (cannot tell). */
function holds(file: ClaimFile): boolean {
  return !file.released && isAlive(file.owner) !== false;
}

function ownedBySelf(file: ClaimFile): boolean {
  const self = selfRef();
  return file.owner.pid === self.pid && file.owner.machine === self.machine && file.owner.start === self.start;
}
