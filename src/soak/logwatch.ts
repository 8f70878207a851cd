// Follows every sim log while the soak runs, so a sender can be killed right after its paste or Enter lands.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { parseSimLog, type SimRecord } from './truth.js';

export type RecordListener = (agent: string, record: SimRecord) => void;

export class LogWatch {
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, Buffer>();
  private readonly listeners = new Set<RecordListener>();
  private timer: NodeJS.Timeout | null = null;
  /** Record kinds seen so far (tells whether this sim logs `paste` and `enter`). */
  readonly kindsSeen = new Set<string>();

  constructor(private readonly files: ReadonlyMap<string, string>) {}

  start(everyMs = 10): void {
    this.timer = setInterval(() => this.poll(), everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Listen until the returned function is called. */
  on(listener: RecordListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  poll(): void {
    for (const [agent, file] of this.files) {
      for (const record of this.readNew(agent, file)) {
        this.kindsSeen.add(record.kind);
        for (const l of this.listeners) l(agent, record);
      }
    }
  }

  private readNew(agent: string, file: string): SimRecord[] {
    if (!existsSync(file)) return [];
    const from = this.offsets.get(agent) ?? 0;
    const size = statSync(file).size;
    if (size <= from) return [];
    const buffer = Buffer.alloc(size - from);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    this.offsets.set(agent, size);
    const bytes = Buffer.concat([this.partial.get(agent) ?? Buffer.alloc(0), buffer]);
    const cut = bytes.lastIndexOf(0x0a);
    // Keep an unfinished last line (bytes, so a character split across reads survives) for the next poll.
    this.partial.set(agent, bytes.subarray(cut + 1));
    return cut < 0 ? [] : parseSimLog(bytes.subarray(0, cut).toString('utf8')).records;
  }
}
