// What the service tells its subscribers: agent state changes, message lifecycle steps, revivals, its own state.
import type { FleetEvent } from './protocol.cjs';

export type Listener = (event: FleetEvent) => void;

export class EventHub {
  private seq = 0;
  private readonly listeners = new Set<Listener>();
  private readonly recent: FleetEvent[] = [];

  constructor(private readonly keep = 500) {}

  publish(kind: string, fields: Record<string, unknown> = {}): FleetEvent {
    const event: FleetEvent = { ...fields, seq: (this.seq += 1), at: new Date().toISOString(), kind };
    this.recent.push(event);
    if (this.recent.length > this.keep) this.recent.shift();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one broken subscriber must not stop the others
      }
    }
    return event;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last events, oldest first (a new subscriber's backlog). */
  history(): FleetEvent[] {
    return [...this.recent];
  }
}
