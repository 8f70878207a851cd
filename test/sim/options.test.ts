import { describe, expect, it } from 'vitest';
import { HELP, defaultOptions, parseArgs } from '../../src/sim/options.js';

describe('sim options', () => {
  it('has the documented defaults', () => {
    expect(parseArgs([], {})).toEqual({
      kind: 'run',
      options: {
        name: 'sim',
        swallowMs: 0,
        busyMs: 0,
        startupMs: 0,
        logFile: null,
        ignoreEnter: false,
        bracketedPaste: true,
        placeholderLines: 2,
        layout: 'claude',
        placeholder: null,
        placeholderStyle: 'color',
        enterNewlineMs: 0,
        ignoreEnters: 0,
        wedgeDrop: false,
        wedgeAfter: null,
        splitDrawMs: 0,
      },
    });
  });

  it('reads flags, in both --flag value and --flag=value forms', () => {
    const parsed = parseArgs(
      ['--name', 'a', '--swallow-ms=5', '--busy-ms', '6', '--startup-ms', '7', '--log', '/tmp/l', '--ignore-enter', '--no-bracketed-paste', '--placeholder-lines', '4'],
      {},
    );
    expect(parsed).toEqual({
      kind: 'run',
      options: { ...defaultOptions(), name: 'a', swallowMs: 5, busyMs: 6, startupMs: 7, logFile: '/tmp/l', ignoreEnter: true, bracketedPaste: false, placeholderLines: 4 },
    });
  });

  it('reads the layout, placeholder, Enter policy and wedge flags', () => {
    const parsed = parseArgs(
      ['--layout', 'rounded', '--placeholder', 'Type here', '--placeholder-style=dim', '--enter-newline-ms', '40', '--ignore-enters', '1', '--wedge-drop', '--wedge-after', '3', '--split-draw-ms', '9'],
      {},
    );
    expect(parsed).toEqual({
      kind: 'run',
      options: { ...defaultOptions(), layout: 'rounded', placeholder: 'Type here', placeholderStyle: 'dim', enterNewlineMs: 40, ignoreEnters: 1, wedgeDrop: true, wedgeAfter: 3, splitDrawMs: 9 },
    });
    for (const layout of ['claude', 'rounded', 'bare', 'double', 'dashed']) expect(parseArgs(['--layout', layout], {})).toMatchObject({ options: { layout } });
  });

  it('reads the new options from the environment too', () => {
    const env = {
      MOSAIC_SIM_LAYOUT: 'double',
      MOSAIC_SIM_PLACEHOLDER: 'Ask',
      MOSAIC_SIM_PLACEHOLDER_STYLE: 'color',
      MOSAIC_SIM_ENTER_NEWLINE_MS: '40',
      MOSAIC_SIM_IGNORE_ENTERS: '2',
      MOSAIC_SIM_WEDGE_DROP: '1',
      MOSAIC_SIM_WEDGE_AFTER: '5',
      MOSAIC_SIM_SPLIT_DRAW_MS: '7',
    };
    expect(parseArgs([], env)).toEqual({
      kind: 'run',
      options: { ...defaultOptions(), layout: 'double', placeholder: 'Ask', enterNewlineMs: 40, ignoreEnters: 2, wedgeDrop: true, wedgeAfter: 5, splitDrawMs: 7 },
    });
    expect(parseArgs(['--layout', 'bare'], env)).toMatchObject({ options: { layout: 'bare' } });
    expect(parseArgs([], { MOSAIC_SIM_WEDGE_DROP: 'false' })).toMatchObject({ options: { wedgeDrop: false } });
  });

  it('rejects unknown layouts, styles and a zero wedge-after with one line', () => {
    expect(parseArgs(['--layout', 'fancy'], {})).toEqual({ kind: 'error', message: '--layout must be one of claude, rounded, bare, double, dashed, got "fancy"' });
    expect(parseArgs(['--placeholder-style', 'bold'], {})).toEqual({ kind: 'error', message: '--placeholder-style must be one of color, dim, got "bold"' });
    expect(parseArgs(['--wedge-after', '0'], {})).toEqual({ kind: 'error', message: '--wedge-after must be at least 1, got "0"' });
    expect(parseArgs([], { MOSAIC_SIM_LAYOUT: 'x' })).toMatchObject({ kind: 'error', message: expect.stringContaining('MOSAIC_SIM_LAYOUT') });
  });

  it('lists every option and its environment variable in --help', () => {
    const flags = ['--name', '--layout', '--placeholder ', '--placeholder-style', '--placeholder-lines', '--busy-ms', '--startup-ms', '--swallow-ms',
      '--enter-newline-ms', '--ignore-enters', '--ignore-enter ', '--no-bracketed-paste', '--wedge-drop', '--wedge-after', '--split-draw-ms', '--log', '--help', 'SIGUSR1', 'SIGUSR2'];
    for (const flag of flags) expect(HELP).toContain(flag);
    for (const variable of ['MOSAIC_AGENT_NAME', 'MOSAIC_SIM_LAYOUT', 'MOSAIC_SIM_PLACEHOLDER', 'MOSAIC_SIM_PLACEHOLDER_STYLE', 'MOSAIC_SIM_ENTER_NEWLINE_MS',
      'MOSAIC_SIM_IGNORE_ENTERS', 'MOSAIC_SIM_WEDGE_DROP', 'MOSAIC_SIM_WEDGE_AFTER', 'MOSAIC_SIM_SPLIT_DRAW_MS', 'MOSAIC_SIM_IGNORE_ENTER=1', 'MOSAIC_SIM_LOG']) expect(HELP).toContain(variable);
    for (const kind of ['start', 'paste', 'enter', 'submit', 'turn', 'clear', 'swallowed', 'command', 'wedge', 'resume', 'exit']) expect(HELP).toContain(kind);
    for (const line of HELP.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
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
