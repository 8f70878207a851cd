// Idempotent writing of generated files: plan (created | updated | unchanged | removed), then apply.
import { chmodSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type FileStatus = 'created' | 'updated' | 'unchanged' | 'removed';

export interface FileToWrite {
  path: string;
  content: string;
  mode: number;
}

export interface FileChange {
  path: string;
  status: FileStatus;
  mode: number;
  /** The new content (absent for removals). */
  content?: string;
  /** The file existed but was not written by us (no marker): it is replaced, after a backup when one is asked for. */
  foreign?: boolean;
  /** Where the foreign file is saved before it is replaced. */
  backup?: string;
}

export interface PlanOptions {
  /** First line prefix (after an optional #! line) that marks a file as ours. */
  marker: string;
  /** Keep a copy of a foreign file at `<path><suffix>` before replacing it (only if no copy exists yet). */
  backupSuffix?: string;
}

/** True when `text` starts with our marker (on its first or, after a #! line, second line). */
export function hasMarker(text: string, marker: string): boolean {
  const [first = '', second = ''] = text.split('\n', 2);
  return first.startsWith(marker) || (first.startsWith('#!') && second.startsWith(marker));
}

/** Compare `file` with what is on disk. */
export function planWrite(file: FileToWrite, options: PlanOptions): FileChange {
  const current = readIfExists(file.path);
  if (current === null) return { path: file.path, status: 'created', mode: file.mode, content: file.content };
  const sameMode = (statSync(file.path).mode & 0o7777) === file.mode;
  if (current === file.content && sameMode) return { path: file.path, status: 'unchanged', mode: file.mode };
  const change: FileChange = { path: file.path, status: 'updated', mode: file.mode, content: file.content };
  if (!hasMarker(current, options.marker)) {
    change.foreign = true;
    const backup = options.backupSuffix === undefined ? undefined : `${file.path}${options.backupSuffix}`;
    if (backup !== undefined && !existsSync(backup)) change.backup = backup;
  }
  return change;
}

/** Files we wrote earlier in `dir` (name ends with `suffix`, marker present) that are not in `keep`. */
export function planStale(dir: string, suffix: string, keep: Set<string>, marker: string): FileChange[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix) && !keep.has(join(dir, name)))
    .map((name) => join(dir, name))
    .filter((path) => {
      const text = readIfExists(path);
      return text !== null && hasMarker(text, marker);
    })
    .sort()
    .map((path) => ({ path, status: 'removed' as const, mode: 0 }));
}

/** Carry out a plan; unchanged files are left alone. Writes go through a temp file and rename. */
export function applyChanges(changes: FileChange[]): void {
  for (const change of changes) {
    if (change.status === 'removed') unlinkSync(change.path);
    if (change.status !== 'created' && change.status !== 'updated') continue;
    mkdirSync(dirname(change.path), { recursive: true });
    if (change.backup !== undefined) copyFileSync(change.path, change.backup, constants.COPYFILE_EXCL);
    const temp = `${change.path}.tmp-${process.pid}`;
    writeFileSync(temp, change.content ?? '', { mode: change.mode });
    chmodSync(temp, change.mode); // the umask may have narrowed it
    renameSync(temp, change.path);
  }
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
