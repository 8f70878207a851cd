import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost, lockDir } from '../../src/host/local.js';
import { ReceiptReader, holdsText } from '../../src/transport/tmux/receipts.js';

describe('ReceiptReader', () => {
  it('only counts prompts reported after mark(), and matches through whitespace changes', async () => {
    const dir = join(lockDir(), '..', 'receipts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'sock-agent.jsonl');
    const text = '[h:a -> h:b] please review\nthe parser change';
    appendFileSync(file, `${JSON.stringify({ hook_event_name: 'UserPromptSubmit', prompt: text })}\n`);
    const reader = new ReceiptReader(new LocalHost(), 'sock-agent');
    await reader.mark();
    expect(await reader.seen(text)).toBe(false); // an identical, older prompt does not count
    appendFileSync(file, '{"prompt": "half-writ');
    expect(await reader.seen(text)).toBe(false);
    appendFileSync(file, `\n${JSON.stringify({ prompt: '[h:a -> h:b]  please review\n  the parser  change' })}\n`);
    expect(await reader.seen(text)).toBe(true);
  });

  it('holdsText needs both the head and the tail of the message', () => {
    expect(holdsText('[h:a -> h:b] one two three', '[h:a -> h:b] one two three')).toBe(true);
    expect(holdsText('[h:a -> h:b] one two', '[h:a -> h:b] one two three four five six seven eight nine ten eleven twelve')).toBe(false);
  });
});
