import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../../host/types.js';
import { lockDir } from '../../host/local.js';
import type { Receipt } from '../../delivery/deliver.js';

// Receipts written by a REPL's prompt-submit hook (see RuntimeProfile.receiptSetup): one JSON line per prompt
// it took, in ${TMUX_TMPDIR:-/tmp}/mosaic-fleet-<uid>/receipts/<name>.jsonl on the agent's host.

const READ = 'cat "${TMUX_TMPDIR:-/tmp}/mosaic-fleet-$(id -u)/receipts/$1.jsonl" 2>/dev/null; exit 0';

export class ReceiptReader implements Receipt {
  private offset = 0;

  constructor(
    private readonly host: Host,
    private readonly name: string,
  ) {}

  private async read(): Promise<string> {
    if (this.host.isLocal) {
      try {
        return readFileSync(join(lockDir(), '..', 'receipts', `${this.name}.jsonl`), 'utf8');
      } catch {
        return '';
      }
    }
    return (await this.host.exec(['sh', '-c', READ, 'sh', this.name], { timeoutMs: 10_000 })).stdout;
  }

  async mark(): Promise<void> {
    this.offset = Buffer.byteLength(await this.read(), 'utf8');
  }

  async seen(text: string): Promise<boolean> {
    const fresh = Buffer.from(await this.read(), 'utf8').subarray(this.offset).toString('utf8');
    return fresh.split('\n').some((line) => promptOf(line) !== null && holdsText(promptOf(line)!, text));
  }
}

function promptOf(line: string): string | null {
  try {
    const value = (JSON.parse(line) as { prompt?: unknown }).prompt;
    return typeof value === 'string' ? value : null;
  } catch {
    return null; // a line being written right now
  }
}

/** The hook reports the prompt as the REPL took it: compare without whitespace, head and tail. */
export function holdsText(prompt: string, text: string): boolean {
  const have = prompt.replace(/\s+/g, '');
  const want = text.replace(/\s+/g, '');
  const probe = Math.min(48, want.length);
  return have.includes(want.slice(0, probe)) && have.includes(want.slice(want.length - probe));
}
