import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilePaneMemory, paneKey } from '../../src/evidence/memory.js';

describe('FilePaneMemory', () => {
  it('recalls what was learnt for the same pane process only', () => {
    const m = new FilePaneMemory(mkdtempSync(join(tmpdir(), 'mft-mem-')));
    const key = paneKey('local', '/tmp/s', '%3', 100);
    m.learn(key, { reader: 'cursor', emptyLooks: ['│ > Ask me │'] });
    expect(m.recall(key)).toEqual({ reader: 'cursor', emptyLooks: ['│ > Ask me │'] });
    // A restarted REPL (another pid in the same pane) is learnt afresh.
    expect(m.recall(paneKey('local', '/tmp/s', '%3', 101))).toBeUndefined();
  });

  it('keeps its folder small: entries untouched for a week go once there are many', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mft-mem-'));
    const old = new Date(Date.now() - 8 * 24 * 3600_000);
    for (let i = 0; i < 300; i += 1) {
      const f = join(dir, `stale${i}.json`);
      writeFileSync(f, '{}');
      utimesSync(f, old, old);
    }
    const m = new FilePaneMemory(dir);
    m.learn(paneKey('local', '/tmp/s', '%1', 1), { emptyLooks: ['> '] });
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('a state dir it cannot write costs nothing but the memory', () => {
    // A state "dir" under a regular file: every write fails with ENOTDIR.
    const file = join(mkdtempSync(join(tmpdir(), 'mft-mem-')), 'not-a-dir');
    writeFileSync(file, '');
    const m = new FilePaneMemory(join(file, 'panes'));
    expect(() => m.learn('k', { reader: 'cursor' })).not.toThrow();
    expect(m.recall('k')).toBeUndefined();
  });
});
