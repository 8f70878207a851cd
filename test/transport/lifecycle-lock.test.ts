// Every command that changes a pane takes its send lock: a restart during a send waits for the verdict, so a send
// never straddles a restart, nothing is pasted into a REPL being replaced, and the verdict stays true.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local.js';
import { TmuxTransport } from '../../src/transport/tmux/transport.js';
import type { AgentLaunch } from '../../src/transport/types.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';
import { readEvents, SIM } from '../helpers/sim.js';

describe('lifecycle commands and the send lock', () => {
  let t: PrivateTmux;
  let dir = '';
  beforeEach(() => {
    t = privateTmux('mft-lclock');
    dir = mkdtempSync(join(tmpdir(), 'mft-lclock-'));
  });
  afterEach(() => t.cleanup());

  const transport = () => new TmuxTransport({ host: new LocalHost(), socket: { name: t.socket }, holderSession: '_holder' });
  const launch = (name: string, log: string, extra: string[]): AgentLaunch => ({
    name, host: 'local', runtime: 'sim', profile: 'sim', launcher: 'direct',
    argv: [process.execPath, SIM, '--name', name, '--log', log, ...extra], env: {}, workingDirectory: dir, readyTimeoutMs: 15_000,
  });
  const from = { host: 'h', session: 'lead' };

  it('a restart issued mid-send waits for the verdict, and the verdict matches what the REPL did', async () => {
    const tr = transport();
    await tr.ensureHolder();
    const log1 = join(dir, 'first.jsonl');
    // The REPL ignores the first three Enters after a paste: the send stays in flight for a while.
    await tr.start(launch('slow', log1, ['--ignore-enters', '3']), {});
    await tr.waitReady(launch('slow', log1, []));
    const order: string[] = [];
    const send = tr.send('=slow', { from, toHost: 'h', body: 'in flight during a restart', preamble: true }, {}).then((r) => {
      order.push('verdict');
      return r;
    });
    await waitFor('pasted', () => readEvents(log1).some((e) => e.kind === 'paste'));
    const pane = (await tr.tmux.listPanes()).find((p) => p.sessionName === 'slow')!;
    const log2 = join(dir, 'second.jsonl');
    const restart = tr.respawnInPlace(pane, launch('slow', log2, [])).then(() => order.push('restarted'));
    const result = await send;
    await restart;
    expect(order).toEqual(['verdict', 'restarted']);
    expect(result.status).toBe('submitted');
    expect(readEvents(log1).filter((e) => e.kind === 'submit').map((e) => e.text)).toEqual([result.text]);
    // Nothing of ours reached the replacement REPL.
    await waitFor('replacement up', () => readEvents(log2).some((e) => e.kind === 'start'));
    expect(readEvents(log2).filter((e) => e.kind === 'paste' || e.kind === 'submit')).toEqual([]);
  });

  it('a stop issued mid-send waits for the verdict too', async () => {
    const tr = transport();
    await tr.ensureHolder();
    const log = join(dir, 'stop.jsonl');
    await tr.start(launch('stopme', log, ['--ignore-enters', '3']), {});
    await tr.waitReady(launch('stopme', log, []));
    const order: string[] = [];
    const send = tr.send('=stopme', { from, toHost: 'h', body: 'in flight during a stop', preamble: true }, {}).then((r) => (order.push('verdict'), r));
    await waitFor('pasted', () => readEvents(log).some((e) => e.kind === 'paste'));
    const stop = tr.stop('stopme').then(() => order.push('stopped'));
    const result = await send;
    await stop;
    expect(order).toEqual(['verdict', 'stopped']);
    expect(result.status).toBe('submitted');
    expect(readEvents(log).filter((e) => e.kind === 'submit')).toHaveLength(1);
  });
});

describe('half-drawn frames', () => {
  let t: PrivateTmux;
  beforeEach(() => {
    t = privateTmux('mft-split');
  });
  afterEach(() => t.cleanup());

  it('a REPL that draws each frame in two halves and never takes Enter is never reported submitted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mft-split-'));
    const tr = new TmuxTransport({ host: new LocalHost(), socket: { name: t.socket }, holderSession: '_holder' });
    await tr.ensureHolder();
    for (const [name, extra] of [['deaf', ['--ignore-enter']], ['swallow', ['--swallow-ms', '150']]] as const) {
      const log = join(dir, `${name}.jsonl`);
      const agent: AgentLaunch = {
        name, host: 'local', runtime: 'sim', profile: 'generic', launcher: 'direct',
        argv: [process.execPath, SIM, '--name', name, '--layout', 'rounded', '--split-draw-ms', '30', '--log', log, ...extra], env: {}, workingDirectory: dir, readyTimeoutMs: 15_000,
      };
      await tr.start(agent, {});
      await tr.waitReady(agent);
      for (let i = 0; i < 3; i += 1) {
        const r = await tr.send(`=${name}`, { from: { host: 'h', session: 'l' }, toHost: 'h', body: `frame ${name} ${i}`, preamble: true, profile: 'generic' }, { verifyTimeoutMs: 1_500 });
        const submitted = readEvents(log).filter((e) => e.kind === 'submit' && e.text === r.text);
        if (r.status === 'submitted') expect(submitted).toHaveLength(1);
        else expect(submitted).toHaveLength(0);
        if (name === 'deaf') {
          expect(r.status).not.toBe('submitted');
          break; // the draft now holds the box; the rest would be held
        }
        expect(r.status).toBe('submitted');
      }
    }
  });
});
