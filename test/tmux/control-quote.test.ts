// The pure parts of the control connection: argv to one control line, and control output to events.
import { describe, expect, it } from 'vitest';
import { ControlArgError, commandLine, findStdinSource, pinToNewSession, quoteArg, readFlags, readGlobalFlags, splitCommands } from '../../src/tmux/control-quote.js';
import { ControlParser, type ControlEvent } from '../../src/tmux/control-parse.js';

describe('argv to a control line', () => {
  it('splits commands as a forked tmux does', () => {
    expect(splitCommands(['a', '1', ';', 'b', '2'])).toEqual([['a', '1'], ['b', '2']]);
    expect(splitCommands(['a', 'x;', 'b'])).toEqual([['a', 'x'], ['b']]);
    expect(splitCommands(['a', 'x\\;'])).toEqual([['a', 'x;']]);
    expect(splitCommands([';', 'a', ';', ';'])).toEqual([['a']]);
    expect(splitCommands(['a', ''])).toEqual([['a', '']]);
  });

  it('quotes with single quotes only, and refuses what cannot travel on one line', () => {
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
    expect(quoteArg('')).toBe(`''`);
    expect(commandLine([['display-message', '-p', 'a b'], ['list-sessions']])).toBe(`'display-message' '-p' 'a b' ; 'list-sessions'`);
    expect(() => quoteArg('a\nb')).toThrow(ControlArgError);
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
  });

  it('reads flags like getopt', () => {
    const r = readFlags(['-dP', '-sname', '-x', '10', 'cmd', '-t'], 'stx');
    expect(r.flags.get('d')).toBe(true);
    expect(r.flags.get('s')).toBe('name');
    expect(r.flags.get('x')).toBe('10');
    expect(r.positional).toBe(4);
    expect(readFlags(['-b', 'n', '--', '-'], 'bt').positional).toBe(3);
  });

  it('pins target-less commands after new-session -s to that session, and nothing else', () => {
    const cmds = pinToNewSession([
      ['set-option', '@before', '1'],
      ['new-session', '-d', '-s', 'a.b:c', '-x', '200', '--', 'sh'],
      ['set-option', '-w', 'remain-on-exit', 'on'],
      ['set-option', '-p', '-t', '%3', '@k', 'v'],
      ['kill-server'],
    ]);
    expect(cmds[0]).toEqual(['set-option', '@before', '1']);
    expect(cmds[2]).toEqual(['set-option', '-t', '=a_b_c:', '-w', 'remain-on-exit', 'on']);
    expect(cmds[3]).toEqual(['set-option', '-p', '-t', '%3', '@k', 'v']);
    expect(cmds[4]).toEqual(['kill-server']);
  });

  it('finds the stdin source of load-buffer', () => {
    expect(findStdinSource([['load-buffer', '-b', 'n', '-'], ['paste-buffer']])).toEqual([0, 3]);
    expect(findStdinSource([['display-message', '-'], ['load-buffer', '-w', '-']])).toEqual([1, 2]);
    expect(findStdinSource([['load-buffer', '/path']])).toBeNull();
  });

  it('reads the global flags Tmux.argv adds, and marks others foreign', () => {
    expect(readGlobalFlags(['tmux', '-u', '-L', 'sock', '-f', '/c', 'list-panes'])).toEqual({ socketName: 'sock', configFile: '/c', command: 6, foreign: false });
    expect(readGlobalFlags(['tmux', '-S', '/p', 'ls'])).toMatchObject({ socketPath: '/p', command: 3 });
    expect(readGlobalFlags(['tmux', '-V']).foreign).toBe(true);
  });
});

describe('control output framing', () => {
  const parse = (chunks: Buffer[]): ControlEvent[] => {
    const events: ControlEvent[] = [];
    const p = new ControlParser((e) => events.push(e));
    for (const c of chunks) p.push(c);
    return events;
  };

  it('ends a block only at the guard that matches its %begin', () => {
    const text = ['%begin 1 10 1', 'line one', '%end 1 9 1', '%end 2 10 1', '%error 1 10 0', '%end 1 10 1', '%output %1 hi', '%exit detached', ''].join('\n');
    expect(parse([Buffer.from(text)])).toEqual([
      { kind: 'block', flags: 1, ok: true, text: 'line one\n%end 1 9 1\n%end 2 10 1\n%error 1 10 0\n' },
      { kind: 'notification', line: '%output %1 hi' },
      { kind: 'exit', reason: 'detached' },
    ]);
  });

  it('keeps UTF-8 whole across chunk boundaries, and reports errors and empty blocks', () => {
    const bytes = Buffer.from('%begin 5 6 1\nünï 日本\n%end 5 6 1\n%begin 5 7 1\n%end 5 7 1\n%begin 5 8 1\nbad\n%error 5 8 1\n');
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(parse(chunks)).toEqual([
      { kind: 'block', flags: 1, ok: true, text: 'ünï 日本\n' },
      { kind: 'block', flags: 1, ok: true, text: '' },
      { kind: 'block', flags: 1, ok: false, text: 'bad\n' },
    ]);
  });
});
