// Fair turns per pane: whoever asks first goes first. The fleet service takes a pane's turn before its lock, so
// senders to one agent are served in arrival order while different agents are served at the same time.

export interface Turn {
  /** How many were waiting ahead of this one when it arrived. */
  readonly ahead: number;
  leave(): void;
}

export class PaneQueues {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, number>();

  /** Resolves when every earlier caller for `key` has left. */
  async enter(key: string): Promise<Turn> {
    const ahead = this.waiting.get(key) ?? 0;
    this.waiting.set(key, ahead + 1);
    const previous = this.tails.get(key) ?? Promise.resolve();
    let leave!: () => void;
    const mine = new Promise<void>((resolve) => (leave = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    let left = false;
    return {
      ahead,
      leave: () => {
        if (left) return;
        left = true;
        const n = (this.waiting.get(key) ?? 1) - 1;
        if (n === 0) {
          this.waiting.delete(key);
          if (this.tails.get(key) === tail) this.tails.delete(key);
        } else this.waiting.set(key, n);
        leave();
      },
    };
  }

  /** Callers holding or waiting for each key. */
  depths(): Map<string, number> {
    return new Map(this.waiting);
  }
}
