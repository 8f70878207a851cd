// Roster errors say what is wrong where it is wrong, in our words.
import { describe, expect, it } from 'vitest';
import { parseRoster } from '../../src/roster/load.js';
import { RosterError } from '../../src/roster/issues.js';

function problems(text: string): string[] {
  try {
    parseRoster(text, 'r.yaml', { checkDirectories: false });
  } catch (error) {
    if (error instanceof RosterError) return error.message.split('\n').slice(1);
    throw error;
  }
  throw new Error('the roster was accepted');
}

describe('roster error texts', () => {
  it('an over-indented key is reported on its own line, without the YAML library wording', () => {
    const lines = problems('version: 1\nagents:\n  - name: a\n    runtime: sim\n      class: implementer\n');
    expect(lines).toEqual(["r.yaml:5:7: 'class' is indented 6 spaces, deeper than 'runtime' on line 4 (4); keys of one mapping start in the same column, so indent it 4 spaces"]);
  });

  it('the same in a plain mapping, across a blank line', () => {
    const lines = problems('version: 1\ntmux:\n  socket_name: x\n\n    holder_session: h\nagents:\n  - name: a\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^r\.yaml:5:5: 'holder_session' is indented 4 spaces, deeper than 'socket_name' on line 3 \(2\)/);
  });

  it('working_dir gets a did-you-mean for working_directory', () => {
    const lines = problems('version: 1\nagents:\n  - name: a\n    runtime: sim\n    working_dir: /tmp\n');
    expect(lines[0]).toMatch(/^r\.yaml:5:5: agents\.0\.working_dir: unknown key 'working_dir' \(did you mean 'working_directory'\?\)/);
  });
});
