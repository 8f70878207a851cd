import { describe, expect, it } from 'vitest';
import { ledgerView, splitBatch } from '../../src/top/feed.js';
import type { MessageRecord } from '../../src/ledger/index.js';

let n = 0;
function record(from: string, to: string, status: string): MessageRecord {
  const [fh, fs] = from.split(':') as [string, string];
  const [th, ts] = to.split(':') as [string, string];
  n += 1;
  return { id: `id${n}`, kind: 'send', from: { host: fh, session: fs }, to: { host: th, session: ts }, body: 'b', preamble: '', text: 'b', created: new Date(1_000_000 + n).toISOString(), updated: '', status: status as never, queued: false, attempts: [], createdBy: { pid: 1, machine: 'm' } };
}

describe('ledgerView', () => {
  it('newest message in and out per agent, pending counted per target, verdicts passed through as they are', () => {
    const records = [record('web1:lead', 'web1:a', 'submitted'), record('web1:a', 'web1:lead', 'draft'), record('web1:b', 'web1:a', 'unconfirmed')];
    const view = ledgerView([{ name: 'a', host: 'local' }, { name: 'lead', host: 'local' }, { name: 'c', host: 'local' }], records, [record('web1:x', 'web1:c', 'pending'), record('web1:x', 'web1:c', 'pending')], 'web1');
    expect(view.get('local:a')).toMatchObject({ lastIn: { from: 'web1:b', to: 'web1:a', verdict: 'unconfirmed' }, lastOut: { to: 'web1:lead', verdict: 'draft' }, pending: 0 });
    expect(view.get('local:lead')!.lastIn!.from).toBe('web1:a');
    expect(view.get('local:c')).toMatchObject({ lastIn: null, lastOut: null, pending: 2 });
  });

  it('a name used on two hosts is matched with the endpoint host as well', () => {
    const records = [record('web1:lead', 'build2:a', 'submitted'), record('web1:lead', 'web1:a', 'failed')];
    const view = ledgerView([{ name: 'a', host: 'local' }, { name: 'a', host: 'build2' }], records, [], 'web1');
    expect(view.get('local:a')!.lastIn!.verdict).toBe('failed');
    expect(view.get('build2:a')!.lastIn!.verdict).toBe('submitted');
  });
});

describe('splitBatch', () => {
  it('cuts one batched capture into screens at the markers', () => {
    const out = 'one\ntwo\n\u241emosaic-top-end\n\nthree\n\u241emosaic-top-end\n';
    expect(splitBatch(out, 2)).toEqual(['one\ntwo', '\nthree']);
    expect(splitBatch('partial\n', 1)).toEqual([]);
  });
});
