import { describe, expect, it } from 'vitest';
import { FleetError } from '../../src/errors.js';
import {
  DEFAULT_KICKSTART_TEMPLATE,
  KICKSTART_PLACEHOLDERS,
  kickstartVars,
  parseKickstartVars,
  renderKickstart,
} from '../../src/roster/index.js';

const agent = { name: 'coder0', class: 'implementer', host: 'local', runtime: 'claude', workingDirectory: '/src' };

describe('renderKickstart', () => {
  it('fills standard and extra placeholders, tolerating spaces inside braces', () => {
    const vars = kickstartVars(agent, 'mosaic-factory', { ticket: 'F-1' });
    expect(renderKickstart('{{name}}/{{ class }}/{{host}}/{{socket}}/{{working_directory}}/{{runtime}}/{{ticket}}', vars)).toBe(
      'coder0/implementer/local/mosaic-factory//src/claude/F-1',
    );
  });

  it('leaves replacement text alone (no $& surprises, no re-expansion)', () => {
    expect(renderKickstart('{{a}}', { a: '$& {{b}}', b: 'x' })).toBe('$& {{b}}');
  });

  it('names every unknown placeholder in a USAGE error', () => {
    try {
      renderKickstart('hi {{name}} {{ticket}} {{repo}} {{ticket}}', { name: 'a' });
      expect.unreachable();
    } catch (error) {
      const e = error as FleetError;
      expect(e.code).toBe('USAGE');
      expect(e.message).toBe('kickstart template uses unknown placeholders {{ticket}}, {{repo}}');
      expect(e.hint).toBe('known placeholders: name; pass --var ticket=VALUE to define one');
    }
  });

  it('the default template uses only the standard placeholders', () => {
    const vars = kickstartVars(agent, 's');
    expect(Object.keys(vars).sort()).toEqual([...KICKSTART_PLACEHOLDERS].sort());
    expect(renderKickstart(DEFAULT_KICKSTART_TEMPLATE, vars)).toContain('You are coder0, the implementer agent');
  });
});

describe('parseKickstartVars', () => {
  it('splits on the first =', () => {
    expect(parseKickstartVars(['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
  });

  it('rejects a pair without a key', () => {
    expect(() => parseKickstartVars(['=1'])).toThrow("--var '=1' is not key=value");
    expect(() => parseKickstartVars(['novalue'])).toThrow(FleetError);
  });
});
