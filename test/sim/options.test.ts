import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/sim/options.js';

describe('sim options', () => {
  it('has the documented defaults', () => {
    expect(parseArgs([], {})).toEqual({
      kind: 'run',
      options: { name: 'sim', swallowMs: 0, busyMs: 0, startupMs: 0, logFile: null, ignoreEnter: false, bracketedPaste: true, placeholderLines: 2 },
    });
  });

  it('reads flags, in both --flag value and --flag=value forms', () => {
    const parsed = parseArgs(
      ['--name', 'a', '--swallow-ms=5', '--busy-ms', '6', '--startup-ms', '7', '--log', '/tmp/l', '--ignore-enter', '--no-bracketed-paste', '--placeholder-lines', '4'],
      {},
    );
    expect(parsed).toEqual({
      kind: 'run',
      options: { name: 'a', swallowMs: 5, busyMs: 6, startupMs: 7, logFile: '/tmp/l', ignoreEnter: true, bracketedPaste: false, placeholderLines: 4 },
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { MOSAIC_AGENT_NAME: 'e', MOSAIC_SIM_SWALLOW_MS: '9', MOSAIC_SIM_BUSY_MS: '8', MOSAIC_SIM_STARTUP_MS: '1', MOSAIC_SIM_LOG: '/l', MOSAIC_SIM_IGNORE_ENTER: '1' };
    const parsed = parseArgs(['--busy-ms', '2'], env);
    expect(parsed).toMatchObject({ kind: 'run', options: { name: 'e', swallowMs: 9, busyMs: 2, startupMs: 1, logFile: '/l', ignoreEnter: true } });
    expect(parseArgs([], { MOSAIC_SIM_IGNORE_ENTER: '0' })).toMatchObject({ options: { ignoreEnter: false } });
  });

  it('gives help and one-line errors', () => {
    expect(parseArgs(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseArgs(['--bogus'], {})).toEqual({ kind: 'error', message: 'unknown option --bogus (see --help)' });
    expect(parseArgs(['stray'], {})).toMatchObject({ kind: 'error' });
    expect(parseArgs(['--busy-ms'], {})).toEqual({ kind: 'error', message: 'option --busy-ms needs a value' });
    expect(parseArgs(['--busy-ms', '-1'], {})).toMatchObject({ kind: 'error' });
    expect(parseArgs([], { MOSAIC_SIM_BUSY_MS: 'soon' })).toMatchObject({ kind: 'error' });
  });
});
