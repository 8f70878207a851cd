// What the fleet service's supervisor did about agents whose REPL exited: each death it saw, each revival with its
// outcome, each give-up. Same durability rules as messages (one O_APPEND write + fdatasync per event, journal.ts),
// but in their own day files next to messages/:
//   supervision/YYYY-MM-DD.jsonl   one file per UTC day of the record's id, like messages
// Why not in the message files: every reader of messages (log, inbox, deliver, status, older builds) folds every line
// of them; a revival is not a message, and an older build would warn about each unknown event it met. Here readers
// that do not know supervision never open the files, and this reader skips (and reports) event kinds it does not know.
//
// Events (every line starts with the journal marker {"mfl":1, and carries the record id and ISO time):
//   {e:'exit',    agent, host, life, exitStatus, exitSignal, by}                       a death, recorded once per life
//   {e:'revive',  agent, host, life, exitStatus, exitSignal, attempt, delayMs, by}     a revival begins (durable first)
//   {e:'revived', outcome, newLife, pid, kickstart?, detail?}   same id: how it ended
//   {e:'give-up', agent, host, life, exitStatus, exitSignal, restarts, windowMs, by}    the limit was reached
// `life` is the start time (ms) of the REPL run that ended (the pane's @mosaic_started), `newLife` that of the run a
// revival started: together they chain revivals into streaks (src/service/supervise.ts).
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { idDay, isId, newId, utcDay } from './ids.js';
import { appendLine, ensureDurableDir, ioError, LogReader, warning } from './journal.js';
import { FORMAT_VERSION } from './fold.js';
import { selfRef } from './proc.js';
import type { LedgerWarning, ProcessRef } from './types.js';

/** How a revival ended: ready for input, exited again while starting, not ready in time, could not be started, or
 *  found already running (someone else revived it: not counted). 'started' until its outcome is written. */
export type RevivalOutcome = 'started' | 'ready' | 'exited' | 'not-ready' | 'failed' | 'skipped';

export interface AgentDeath {
  agent: string;
  host: string;
  life: number | null;
  exitStatus: number | null;
  exitSignal: number | null;
}

export interface SupervisionRecord extends AgentDeath {
  id: string;
  kind: 'exit' | 'revive' | 'give-up';
  /** ISO time the record was written. */
  at: string;
  by: ProcessRef;
  /** revive: 1-based attempt within the streak, and the backoff waited before it. */
  attempt?: number;
  delayMs?: number;
  outcome?: RevivalOutcome;
  finishedAt?: string;
  newLife?: number | null;
  /** The new REPL's pid. */
  pid?: number | null;
  /** The kickstart's delivery status when one was sent after the revival. */
  kickstart?: string;
  detail?: string;
  /** give-up: revivals counted in the window, and the window. */
  restarts?: number;
  windowMs?: number;
}

export interface RevivalResult {
  outcome: Exclude<RevivalOutcome, 'started'>;
  newLife: number | null;
  pid: number | null;
  kickstart?: string;
  detail?: string;
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
const KINDS = new Set(['exit', 'revive', 'revived', 'give-up']);

class DayFile {
  readonly reader: LogReader;
  readonly records = new Map<string, SupervisionRecord>();
  readonly problems: LedgerWarning[] = [];

  constructor(file: string) {
    this.reader = new LogReader(file);
  }

  refresh(): boolean {
    return this.reader.refresh(
      (event, offset) => {
        const problem = this.apply(event);
        if (problem) this.problems.push(warning(this.reader.file, offset, problem, JSON.stringify(event)));
      },
      (problem) => this.problems.push(problem),
    );
  }

  private apply(value: unknown): LedgerWarning['kind'] | undefined {
    if (typeof value !== 'object' || value === null) return 'bad-event';
    const event = value as Record<string, unknown>;
    if (event.mfl !== FORMAT_VERSION || typeof event.id !== 'string' || typeof event.at !== 'string' || !KINDS.has(event.e as string)) return 'bad-event';
    if (event.e === 'revived') {
      const record = this.records.get(event.id);
      if (!record) return 'orphan';
      if (record.outcome !== 'started') return 'reopen';
      Object.assign(record, definedOnly({ outcome: event.outcome, finishedAt: event.at, newLife: event.newLife, pid: event.pid, kickstart: event.kickstart, detail: event.detail }));
      return undefined;
    }
    if (this.records.has(event.id)) return 'duplicate';
    const { mfl: _mfl, e, ...rest } = event;
    const record = { ...rest, kind: e } as unknown as SupervisionRecord;
    if (e === 'revive') record.outcome = 'started';
    this.records.set(event.id, record);
    return undefined;
  }
}

export class SupervisionLog {
  private readonly days = new Map<string, DayFile>();

  constructor(readonly dir: string) {}

  /** A death seen for the first time. */
  recordExit(death: AgentDeath): SupervisionRecord {
    return this.write('exit', death, {});
  }

  /** A revival begins: on disk before the agent is touched, so a crash mid-revival still counts it. */
  startRevival(death: AgentDeath, attempt: number, delayMs: number): SupervisionRecord {
    return this.write('revive', death, { attempt, delayMs });
  }

  finishRevival(id: string, result: RevivalResult): void {
    this.append({ id, at: new Date().toISOString(), e: 'revived', ...definedOnly({ ...result }) });
  }

  recordGiveUp(death: AgentDeath, restarts: number, windowMs: number): SupervisionRecord {
    return this.write('give-up', death, { restarts, windowMs });
  }

  /** Records created since `since` (all when omitted), oldest first, optionally of one agent ('name' or 'host:name'). */
  list(filter: { since?: Date; agent?: string } = {}): SupervisionRecord[] {
    const first = filter.since && utcDay(filter.since);
    const out: SupervisionRecord[] = [];
    for (const day of this.dayNames().filter((d) => first === undefined || d >= first)) {
      for (const record of this.day(day).records.values()) {
        if (filter.since && Date.parse(record.at) < filter.since.getTime()) continue;
        if (filter.agent !== undefined && filter.agent !== record.agent && filter.agent !== `${record.host}:${record.agent}`) continue;
        out.push({ ...record });
      }
    }
    return out;
  }

  /** Lines skipped in the files read so far. */
  warnings(): LedgerWarning[] {
    return [...this.days.values()].flatMap((d) => [...d.problems, ...(d.reader.partialTail ? [d.reader.partialTail] : [])]);
  }

  private write(kind: SupervisionRecord['kind'], death: AgentDeath, extra: Partial<SupervisionRecord>): SupervisionRecord {
    const now = new Date();
    const body = { id: newId(now), at: now.toISOString(), e: kind, agent: death.agent, host: death.host, life: death.life, exitStatus: death.exitStatus, exitSignal: death.exitSignal, ...extra, by: selfRef() };
    this.append(body);
    const { e: _e, ...rest } = body;
    return { ...rest, kind, ...(kind === 'revive' ? { outcome: 'started' as const } : {}) };
  }

  private append(body: { id: string; at: string; e: string }): void {
    if (!isId(body.id)) throw ioError(`not a record id: ${body.id}`, this.dir);
    ensureDurableDir(this.dir);
    appendLine(join(this.dir, `${idDay(body.id)}.jsonl`), JSON.stringify({ mfl: FORMAT_VERSION, ...body }));
  }

  private day(name: string): DayFile {
    let file = this.days.get(name);
    if (!file) this.days.set(name, (file = new DayFile(join(this.dir, `${name}.jsonl`))));
    if (!file.refresh()) {
      // Replaced or truncated underneath us (retention removed it): fold it again.
      this.days.set(name, (file = new DayFile(file.reader.file)));
      file.refresh();
    }
    return file;
  }

  private dayNames(): string[] {
    try {
      return readdirSync(this.dir)
        .map((name) => DAY_FILE.exec(name)?.[1])
        .filter((day): day is string => day !== undefined)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError((error as Error).message, this.dir, error);
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
