import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPath, mosaicHome, resolveRosterPath } from '../../src/roster/index.js';

const env = { HOME: '/home/u' };

describe('resolveRosterPath', () => {
  it('prefers --roster, then MOSAIC_FLEET_ROSTER, then $MOSAIC_HOME/fleet/roster.yaml', () => {
    const all = { ...env, MOSAIC_FLEET_ROSTER: '/etc/fleet.yaml', MOSAIC_HOME: '/opt/mosaic' };
    expect(resolveRosterPath({ flag: '~/r.yaml', env: all })).toBe('/home/u/r.yaml');
    expect(resolveRosterPath({ env: all })).toBe('/etc/fleet.yaml');
    expect(resolveRosterPath({ env: { ...env, MOSAIC_HOME: '/opt/mosaic' } })).toBe('/opt/mosaic/fleet/roster.yaml');
    expect(resolveRosterPath({ env })).toBe('/home/u/.config/mosaic/fleet/roster.yaml');
  });

  it('treats empty values as unset', () => {
    expect(resolveRosterPath({ flag: '', env: { ...env, MOSAIC_FLEET_ROSTER: '', MOSAIC_HOME: '' } })).toBe(
      '/home/u/.config/mosaic/fleet/roster.yaml',
    );
  });

  it('resolves a relative --roster against the current directory', () => {
    expect(resolveRosterPath({ flag: 'fleet.yaml', env })).toBe(join(process.cwd(), 'fleet.yaml'));
  });
});

describe('mosaicHome and expandPath', () => {
  it('defaults MOSAIC_HOME to ~/.config/mosaic and expands ~ in it', () => {
    expect(mosaicHome(env)).toBe('/home/u/.config/mosaic');
    expect(mosaicHome({ ...env, MOSAIC_HOME: '~/m' })).toBe('/home/u/m');
  });

  it('expands ~, $HOME and ${HOME} but not ~user or $HOMEX', () => {
    expect(expandPath('~', env)).toBe('/home/u');
    expect(expandPath('~/src', env)).toBe('/home/u/src');
    expect(expandPath('$HOME/src', env)).toBe('/home/u/src');
    expect(expandPath('${HOME}/src', env)).toBe('/home/u/src');
    expect(expandPath('/x/$HOMEX', env)).toBe('/x/$HOMEX');
    expect(expandPath('~bob/x', env, '/base')).toBe('/base/~bob/x');
    expect(expandPath('rel/../d', env, '/base')).toBe('/base/d');
  });
});
