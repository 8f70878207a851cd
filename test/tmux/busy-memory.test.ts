// The busy search's memory (Tmux.listPaneStates) on real tmux: a long-lived caller searches again only the screens
// that drew since its last search, and at every step it reports what a fresh search of every screen reports.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/host/local.js';
import type { RunOptions, RunResult } from '../../src/exec/run.js';
import { Tmux } from '../../src/tmux/client.js';
import { SEP } from '../../src/tmux/format.js';
import { privateTmux, waitFor, type PrivateTmux } from '../helpers/tmux.js';

// Prints a busy marker on `B`, clears the screen on `C`, draws nothing else (no echo).
const PROGRAM = `stty -echo; while read -r l; do case "$l" in B) echo "esc to interrupt";; C) printf '\\033[2J\\033[H';; esac; done`;

/** A local host that keeps what each list-panes call printed. */
class RecordingHost extends LocalHost {
  readonly listings: string[] = [];
  override async exec(argv: string[], options?: RunOptions): Promise<RunResult> {
    const r = await super.exec(argv, options);
    if (argv.includes('list-panes')) this.listings.push(r.stdout);
    return r;
  }
}

/** The sessions whose busy search the last listing skipped (its busy field reads '='). */
function skipped(listing: string): string[] {
  return listing
    .split('\n')
    .filter((l) => l.endsWith(`${SEP}=`))
    .map((l) => l.split(SEP)[0]!)
    .sort();
}

describe('busy search memory', () => {
  let t: PrivateTmux;
  let host: RecordingHost;
  let kept: Tmux;

  beforeEach(() => {
    t = privateTmux('mft-busy');
    for (const name of ['a', 'b', 'c']) t.tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '20', 'sh', '-c', PROGRAM);
    host = new RecordingHost();
    kept = new Tmux(host, { name: t.socket });
  });
  afterEach(() => t.cleanup());

  const busyOf = (panes: { sessionName: string; busy: boolean }[]) => Object.fromEntries(panes.map((p) => [p.sessionName, p.busy]));
  /** A search of every screen by a Tmux with no memory. */
  const fresh = async () => busyOf(await new Tmux(new LocalHost(), { name: t.socket }).listPaneStates());
  const remembered = async () => busyOf(await kept.listPaneStates());
  const screenHas = (name: string, text: string) => t.tmux('capture-pane', '-p', '-t', `=${name}:`).stdout.includes(text);
  const typeLine = (name: string, line: string) => t.tmux('send-keys', '-t', `=${name}:`, line, 'Enter');
  /** tmux stamps activity in whole seconds, so a pane that drew in the second of a search is searched once more. Once
   *  a new second has begun and one listing was taken in it, nothing that drew before is searched again. */
  const settle = async () => {
    const now = Math.floor(Date.now() / 1000);
    await waitFor('the next second', () => Math.floor(Date.now() / 1000) > now);
    await remembered();
  };

  it('searches only the screens that drew since its last search, and agrees with a full search every time', async () => {
    await waitFor('the programs', () => t.tmux('list-panes', '-a', '-F', '#{pane_current_command}').stdout.split('\n').filter((c) => c === 'sh').length === 3);
    expect(await remembered()).toEqual({ a: false, b: false, c: false });
    expect(skipped(host.listings.at(-1)!)).toEqual([]);

    // Quiet for a second: nothing is searched again, and nothing changed.
    await settle();
    expect(await remembered()).toEqual(await fresh());
    expect(skipped(host.listings.at(-1)!)).toEqual(['a', 'b', 'c']);

    // a draws a busy marker: a is searched again at once (same second or not), the others are not.
    typeLine('a', 'B');
    await waitFor('the marker on a', () => screenHas('a', 'esc to interrupt'));
    expect(await remembered()).toEqual({ a: true, b: false, c: false });
    expect(await fresh()).toEqual({ a: true, b: false, c: false });
    expect(skipped(host.listings.at(-1)!)).toEqual(['b', 'c']);

    // Quiet again: a's remembered marker stands without a search.
    await settle();
    expect(await remembered()).toEqual({ a: true, b: false, c: false });
    expect(skipped(host.listings.at(-1)!)).toEqual(['a', 'b', 'c']);

    // a clears its screen: searched again, idle.
    typeLine('a', 'C');
    await waitFor('a cleared', () => !screenHas('a', 'esc to interrupt'));
    expect(await remembered()).toEqual({ a: false, b: false, c: false });

    // b shows a marker, then is respawned with a program that draws nothing: its screen was wiped without it drawing,
    // and the new process is what tells the memory so.
    typeLine('b', 'B');
    await waitFor('the marker on b', () => screenHas('b', 'esc to interrupt'));
    expect(await remembered()).toEqual({ a: false, b: true, c: false });
    await settle();
    t.tmux('respawn-pane', '-k', '-t', '=b:', 'sh', '-c', PROGRAM);
    await waitFor('b wiped', () => !screenHas('b', 'esc to interrupt'));
    expect(await remembered()).toEqual({ a: false, b: false, c: false });
    expect(await fresh()).toEqual({ a: false, b: false, c: false });
    // A resize and a respawn that draws: the same answers as a full search.
    t.tmux('resize-window', '-t', '=a:', '-x', '60', '-y', '10');
    t.tmux('respawn-pane', '-k', '-t', '=c:', 'sh', '-c', `echo "esc to interrupt"; ${PROGRAM}`);
    await waitFor('the marker on c', () => screenHas('c', 'esc to interrupt'));
    expect(await remembered()).toEqual(await fresh());
    expect(await remembered()).toEqual({ a: false, b: false, c: true });
  });

  it('never remembers across a forked call: a new Tmux searches every screen', async () => {
    await waitFor('the programs', () => t.tmux('list-panes', '-a', '-F', '#{pane_current_command}').stdout.split('\n').filter((c) => c === 'sh').length === 3);
    typeLine('b', 'B');
    await waitFor('the marker on b', () => screenHas('b', 'esc to interrupt'));
    const other = new RecordingHost();
    expect(busyOf(await new Tmux(other, { name: t.socket }).listPaneStates())).toEqual({ a: false, b: true, c: false });
    expect(skipped(other.listings[0]!)).toEqual([]);
  });
});
