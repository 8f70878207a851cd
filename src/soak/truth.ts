// Ground truth: what each sim REPL logged (one JSON line per event, appended across restarts).

export interface SimRecord {
  ts: number;
  name: string;
  session: number;
  kind: string;
  text?: string;
  queued?: boolean;
}

/** One submission the REPL took: its text reached the model (or the REPL's queue, when `queued`). */
export interface Arrival {
  /** The agent whose log holds it (the pane it was typed into). */
  agent: string;
  /** The name the sim process was started with (a second check on "wrong agent"). */
  name: string;
  text: string;
  queued: boolean;
  ts: number;
  /** Which process of this agent took it: 1 for the first start, +1 per restart. */
  incarnation: number;
}

/** Parse a sim log; a torn last line (the sim was killed mid-write) is skipped, and counted. */
export function parseSimLog(text: string): { records: SimRecord[]; torn: number } {
  const records: SimRecord[] = [];
  let torn = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as SimRecord;
      if (typeof r.kind === 'string') records.push(r);
      else torn++;
    } catch {
      torn++;
    }
  }
  return { records, torn };
}

/** The submissions in one agent's log, each tagged with the process that took it. */
export function arrivalsOf(agent: string, records: readonly SimRecord[]): Arrival[] {
  const out: Arrival[] = [];
  let incarnation = 0;
  for (const r of records) {
    if (r.kind === 'start') incarnation++;
    if (r.kind === 'submit') out.push({ agent, name: r.name, text: r.text ?? '', queued: r.queued === true, ts: r.ts, incarnation: Math.max(1, incarnation) });
  }
  return out;
}
