import { describe, expect, it } from 'vitest';
import { AGENT_NAME_PATTERN, checkAgentName, didYouMean, suggestAgentName } from '../../src/roster/index.js';
import { levenshtein } from '../../src/roster/names.js';

const GOOD = ['coder0', 'mos-claude', '_holder', 'rev_1', 'Ünïcode', 'a=b', 'x%', 'a$b@c', '0'];
const BAD = ['', 'a.b', 'a:b', '=a', '%1', '$0', '@1', 'a b', 'a\tb', 'tab\u000b', 'nul\u0000', 'del\u007f', '\u00a0nbsp'];

describe('checkAgentName', () => {
  it.each(GOOD)('accepts %j', (name) => {
    expect(checkAgentName(name)).toBeNull();
  });

  it.each(BAD)('rejects %j', (name) => {
    expect(checkAgentName(name)).toMatch(/^agent name /u);
  });

  it('names the problem and suggests a fix', () => {
    expect(checkAgentName('coder.0')).toBe("agent name 'coder.0' contains '.', which tmux reads as the window.pane separator; use 'coder-0' instead");
    expect(checkAgentName('=x')).toBe("agent name '=x' starts with '=', which tmux reads as target syntax; use 'x' instead");
    expect(checkAgentName('a\u0001')).toBe("agent name 'a\\x01' contains a control character; use 'a' instead");
    expect(checkAgentName('...')).toBe("agent name '...' contains '.', which tmux reads as the window.pane separator");
  });

  it('agrees with the JSON Schema pattern on every sample', () => {
    const pattern = new RegExp(AGENT_NAME_PATTERN, 'u');
    for (const name of [...GOOD, ...BAD, 'a..b', ' lead', 'trail ', '@', '=']) {
      expect(pattern.test(name), JSON.stringify(name)).toBe(checkAgentName(name) === null);
    }
  });

  it('suggestions are themselves valid names', () => {
    for (const name of BAD.filter((n) => suggestAgentName(n) !== '')) expect(checkAgentName(suggestAgentName(name))).toBeNull();
  });
});

describe('didYouMean', () => {
  it('finds close matches and ignores distant ones', () => {
    expect(didYouMean('cluade', ['claude', 'codex', 'pi'])).toBe('claude');
    expect(didYouMean('Claude', ['claude'])).toBe('claude');
    expect(didYouMean('pie', ['claude', 'pi'])).toBe('pi');
    expect(didYouMean('colour', ['name', 'runtime', 'class'])).toBeUndefined();
    expect(didYouMean('zzz', [])).toBeUndefined();
  });

  it('levenshtein counts edits', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });
});
