import { describe, expect, it } from 'vitest';
import { LAYOUTS, parseSoakArgs } from '../../src/soak/options.js';

describe('soak options', () => {
  it('defaults to 800 messages, 20 agents, 8 senders, the claude layout and a random seed', () => {
    const r = parseSoakArgs([], () => 42);
    expect(r).toEqual({ kind: 'run', options: { messages: 800, agents: 20, senders: 8, seed: 42, layouts: ['claude'], keep: false, json: false, faults: true, mixed: false, service: false } });
  });

  it('reads every flag, with a value after the flag or after =', () => {
    const r = parseSoakArgs(['--messages', '300', '--agents=24', '--senders', '10', '--seed', '0', '--layouts', 'claude,bare', '--keep', '--json', '--no-faults']);
    expect(r).toEqual({ kind: 'run', options: { messages: 300, agents: 24, senders: 10, seed: 0, layouts: ['claude', 'bare'], keep: true, json: true, faults: false, mixed: false, service: false } });
  });

  it('expands --layouts all to every layout', () => {
    const r = parseSoakArgs(['--layouts', 'all', '--seed', '1']);
    expect(r.kind === 'run' && r.options.layouts).toEqual([...LAYOUTS]);
  });

  it('--service sends through the fleet service', () => {
    const r = parseSoakArgs(['--service', '--seed', '3']);
    expect(r.kind === 'run' && r.options).toMatchObject({ service: true, faults: true });
  });

  it('--mixed turns on every layout unless --layouts names some', () => {
    const all = parseSoakArgs(['--mixed', '--seed', '1']);
    expect(all.kind === 'run' && all.options).toMatchObject({ mixed: true, layouts: [...LAYOUTS] });
    const some = parseSoakArgs(['--layouts', 'bare', '--mixed', '--seed', '1']);
    expect(some.kind === 'run' && some.options).toMatchObject({ mixed: true, layouts: ['bare'] });
  });

  it.each([
    [['--messages', '0'], '--messages takes a whole number >= 1'],
    [['--senders', 'x'], "--senders takes a whole number >= 1, not 'x'"],
    [['--layouts', 'triple'], "unknown layout 'triple'"],
    [['--layouts', ','], '--layouts needs at least one layout'],
    [['--seed'], '--seed needs a value'],
    [['--fast'], 'unknown option --fast'],
  ])('refuses %j with one line', (argv, message) => {
    const r = parseSoakArgs(argv);
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.message).toContain(message);
  });

  it('answers --help', () => {
    expect(parseSoakArgs(['--json', '--help'])).toEqual({ kind: 'help' });
  });
});
