import { describe, expect, it } from 'vitest';
import { mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrivalsOf, parseSimLog } from '../../src/soak/truth.js';
import { LogWatch } from '../../src/soak/logwatch.js';

const line = (r: object) => `${JSON.stringify(r)}\n`;

describe('sim ground truth', () => {
  it('skips a torn line and counts it', () => {
    const text = line({ ts: 1, name: 'a', session: 1, kind: 'start' }) + '{"ts":2,"na';
    expect(parseSimLog(text)).toEqual({ records: [{ ts: 1, name: 'a', session: 1, kind: 'start' }], torn: 1 });
  });

  it('tags each submission with the process (restart) that took it', () => {
    const { records } = parseSimLog(
      [
        { ts: 1, name: 'a', session: 1, kind: 'start' },
        { ts: 2, name: 'a', session: 1, kind: 'submit', text: 'x', queued: false },
        { ts: 3, name: 'a', session: 1, kind: 'swallowed', text: 'y' },
        { ts: 4, name: 'a', session: 1, kind: 'start' },
        { ts: 5, name: 'a', session: 1, kind: 'submit', text: 'y', queued: true },
      ].map(line).join(''),
    );
    expect(arrivalsOf('a', records)).toEqual([
      { agent: 'a', name: 'a', text: 'x', queued: false, ts: 2, incarnation: 1 },
      { agent: 'a', name: 'a', text: 'y', queued: true, ts: 5, incarnation: 2 },
    ]);
  });
});

describe('log watch', () => {
  it('delivers each appended record once, including a line (and a character) split across polls', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soak-watch-'));
    try {
      const file = join(dir, 'a.jsonl');
      const watch = new LogWatch(new Map([['a', file]]));
      const seen: string[] = [];
      watch.on((agent, r) => seen.push(`${agent}:${r.kind}:${r.text ?? ''}`));
      watch.poll();
      const whole = line({ ts: 1, name: 'a', session: 1, kind: 'paste', text: 'h🚀i' });
      const bytes = Buffer.from(whole);
      const cut = bytes.indexOf(Buffer.from('🚀')) + 2;
      appendFileSync(file, bytes.subarray(0, cut));
      watch.poll();
      expect(seen).toEqual([]);
      appendFileSync(file, bytes.subarray(cut));
      appendFileSync(file, line({ ts: 2, name: 'a', session: 1, kind: 'submit', text: 'h🚀i' }));
      watch.poll();
      watch.poll();
      expect(seen).toEqual(['a:paste:h🚀i', 'a:submit:h🚀i']);
      expect([...watch.kindsSeen].sort()).toEqual(['paste', 'submit']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
