import { describe, expect, it } from 'vitest';
import { parseCapture } from '../../src/tmux/screen.js';
import { parseGenericScreen } from '../../src/runtimes/generic.js';
import { parseSimScreen } from '../../src/runtimes/sim.js';

const rule = '─'.repeat(40);

describe('parseCapture', () => {
  it('strips SGR and blanks dim runs in the solid view', () => {
    const s = parseCapture('\x1b[1mbold\x1b[0m \x1b[2mdim text\x1b[22m plain\n');
    expect(s.lines[0]!.text).toBe('bold dim text plain');
    expect(s.lines[0]!.solid).toBe('bold          plain');
  });
});

describe('colour parameters are not attributes', () => {
  it('does not read truecolor or 256-colour values as dim', () => {
    const s = parseCapture('\x1b[38;2;2;200;2mgreen\x1b[0m \x1b[48;5;2mbg\x1b[0m \x1b[38:2::1:2:3mcolon\x1b[0m \x1b[1;2mreal dim\x1b[0m');
    expect(s.lines[0]!.solid).toBe('green bg colon');
  });
});

describe('generic screen reading', () => {
  it('reads a Claude-style box between the last two rules, NBSP prompt included', () => {
    const s = parseCapture(['header', '✻ Baking… (3s)', rule, '❯\u00a0draft line one', '  line two', rule, '  esc to interrupt'].join('\n'));
    const st = parseGenericScreen(s);
    expect(st.input).toBe('draft line one\nline two');
    expect(st.busy).toBe(true);
  });
  it('treats a dim placeholder as an empty box and notices the queued notice', () => {
    const s = parseCapture([rule, '❯\u00a0\x1b[2mPress up to edit queued messages\x1b[22m', rule].join('\n'));
    const st = parseGenericScreen(s);
    expect(st.input).toBe('');
    expect(st.queued).toBe(true);
  });
  it('reads a Codex-style composer and an OpenCode-style block', () => {
    const codex = parseGenericScreen(parseCapture(['› earlier message', '', '• reply', '', '› typed but not sent', '', '  gpt default · /w'].join('\n')));
    expect(codex.input).toBe('typed but not sent');
    const open = parseGenericScreen(parseCapture(['  ┃', '  ┃  a draft here', '  ┃', '  ┃  Build · Claude Sonnet', '  ╹▀▀▀▀▀▀▀▀'].join('\n')));
    expect(open.input).toBe('a draft here');
  });
  it('gives input=null for a screen with no box', () => {
    expect(parseGenericScreen(parseCapture('$ ls\nfile\n$ ')).input).toBeNull();
  });
});

describe('sim screen reading', () => {
  it('needs the header to call the sim ready', () => {
    expect(parseSimScreen(parseCapture([rule, '❯\u00a0', rule].join('\n'))).ready).toBe(false);
    const st = parseSimScreen(parseCapture(['sim · a · session 2', '', '✻ Working… (1s)', rule, '❯\u00a0', rule, '  esc to interrupt'].join('\n')));
    expect(st).toMatchObject({ ready: true, busy: true, input: '' });
  });
});
