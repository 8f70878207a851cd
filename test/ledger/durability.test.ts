// Durability is about system-call order, which a crash test cannot observe in CI: record the calls instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const traced = <T extends (...args: never[]) => unknown>(name: string, fn: T) =>
    ((...args: Parameters<T>) => {
      const result = fn(...args);
      calls.push(name === 'openSync' ? `open:${String(args[0]).split('/').pop()}:${String(args[1])}` : `${name}:${String(args[0])}`);
      return result;
    }) as T;
  return {
    ...fs,
    openSync: traced('openSync', fs.openSync),
    writeSync: traced('writeSync', fs.writeSync),
    fdatasyncSync: traced('fdatasyncSync', fs.fdatasyncSync),
    fsyncSync: traced('fsyncSync', fs.fsyncSync),
    closeSync: traced('closeSync', fs.closeSync),
  };
});

const { constants } = await import('node:fs');
const { Ledger } = await import('../../src/ledger/index.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mft-ledger-'));
  calls.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const input = { from: { host: 'h', session: 'a' }, to: { host: 'h', session: 'b' }, body: 'hi' };

describe('durable appends', () => {
  it('each event is one O_APPEND write followed by fdatasync on the same fd, before the call returns', () => {
    const ledger = new Ledger(dir);
    const first = ledger.create(input);
    // First write ever: the new file and the new directories are fsynced too.
    expect(calls.some((c) => c.startsWith('fsyncSync'))).toBe(true);

    calls.length = 0;
    const { id } = ledger.create(input);
    ledger.startAttempt(id);
    ledger.finishAttempt(id, 'submitted');
    ledger.setStatus(first.id, 'failed', 'x');
    const flags = constants.O_WRONLY | constants.O_APPEND;
    expect(calls).toHaveLength(16); // 4 events x (open, write, fdatasync, close): no extra writes
    for (let i = 0; i < 16; i += 4) {
      const fd = calls[i + 1]!.split(':')[1]!;
      expect(calls[i]).toMatch(new RegExp(`^open:\\d{4}-\\d{2}-\\d{2}\\.jsonl:${flags}$`));
      expect(calls.slice(i + 1, i + 4)).toEqual([`writeSync:${fd}`, `fdatasyncSync:${fd}`, `closeSync:${fd}`]);
    }
  });
});
