import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  envFileLine,
  environmentAssignment,
  execLine,
  parseEnvFile,
  parseEnvironmentLine,
  parseExecLine,
  readUnitDirectives,
  renderUnits,
  type UnitInput,
} from '../../src/systemd/index.js';
import { FLEET_CLI, tempDir } from './helpers/install.js';

const HOSTILE = ['plain', 'a b', 'tab\there', 'new\nline', '"dq"', "'sq'", 'back\\slash', '100%', '%i', '$HOME', '${X}', '$$', 'ünïcødé ✓', ';', '-dash', ''];

describe('unit-file quoting round-trips through systemd parsing rules', () => {
  it('ExecStart= arguments', () => {
    expect(parseExecLine(execLine(['/bin/x', ...HOSTILE]), { instance: 'zz' })).toEqual(['/bin/x', ...HOSTILE]);
    expect(execLine(['/usr/bin/node', '/a b/cli.js', '50%', '$HOME'])).toBe('/usr/bin/node "/a b/cli.js" "50%%" "$$HOME"');
  });

  it('the executable: `$` is literal there, quotes and backslashes are refused', () => {
    expect(execLine(['/opt/n $x 5%/node', '$x'])).toBe('"/opt/n $x 5%%/node" "$$x"');
    expect(parseExecLine('"/opt/n $x 5%%/node" "$$x"')).toEqual(['/opt/n $x 5%/node', '$x']);
    for (const bad of ['/o"q/node', "/o'q/node", '/o\\q/node', '/o\nq/node']) {
      expect(() => execLine([bad, 'start'])).toThrow(/systemd cannot run/);
    }
  });

  it('Environment= assignments', () => {
    for (const value of HOSTILE) {
      expect(parseEnvironmentLine(environmentAssignment('V', value))).toEqual({ V: value });
    }
    expect(environmentAssignment('PATH', '/usr/bin:/bin')).toBe('PATH=/usr/bin:/bin');
    expect(environmentAssignment('D', '/x y/100%')).toBe('"D=/x y/100%%"');
  });

  it('EnvironmentFile= lines', () => {
    for (const value of [...HOSTILE, '  padded  ', 'trailing\\']) {
      expect(parseEnvFile(`${envFileLine('V', value)}\n`)).toEqual({ V: value });
    }
    expect(envFileLine('W', '/home/u/my dir $x "q"')).toBe('W="/home/u/my dir \\$x \\"q\\""');
  });

  it('reads EnvironmentFile= text as systemd.exec(5) describes', () => {
    const text = [
      '# comment',
      '; also a comment',
      'A=unquoted value   ',
      "B='single $x \\n kept'",
      'C="double \\"q\\" \\\\ \\$x \\n stays"',
      'D=esc\\ aped\\\\',
      'E=cont\\',
      'inued',
      'F="multi',
      'line"',
      '  G = spaced',
      'no equals sign',
      '',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual({
      A: 'unquoted value',
      B: 'single $x \\n kept',
      C: 'double "q" \\ $x \\n stays',
      D: 'esc aped\\',
      E: 'continued',
      F: 'multi\nline',
      G: 'spaced',
    });
  });

  it('refuses specifiers and variables it cannot expand, so a test cannot pass by accident', () => {
    expect(() => parseExecLine('/bin/x %u')).toThrow(/%u/);
    expect(() => parseExecLine('/bin/x $HOME')).toThrow(/variable/);
    expect(() => parseExecLine('/bin/x "open')).toThrow(/unterminated/);
  });
});

describe('rendered units with hostile paths', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = tempDir('mft-sd-q');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('systemd-analyze finds the node behind a quoted, escaped path, and reads the same argv we parse', () => {
    // A node reachable only through a path that needs quoting and escaping: systemd must read it back to find it.
    const odd = join(tmp, 'node dir 100% $x');
    mkdirSync(odd);
    symlinkSync(process.execPath, join(odd, 'node'));
    const input: UnitInput = {
      nodePath: join(odd, 'node'),
      cliPath: FLEET_CLI,
      mosaicHome: join(tmp, 'home 50% $y'),
      rosterPath: join(tmp, "r 'o' ster.yaml"),
      socket: 'mft-q',
      environment: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
      unitDir: join(tmp, 'units'),
      agents: [{ name: 'alpha', runtime: 'sim', workingDirectory: join(tmp, 'w'), command: 'sim' }],
    };
    const { files } = renderUnits(input);
    mkdirSync(input.unitDir);
    for (const f of files.filter((f) => f.kind === 'unit')) writeFileSync(f.path, f.content);

    const runtimeDir = tempDir('mft-sd-rt');
    const r = spawnSync('systemd-analyze', ['--user', 'verify', 'mosaic-tmux-holder.service', 'mosaic-agent@alpha.service'], {
      cwd: input.unitDir,
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
    });
    rmSync(runtimeDir, { recursive: true, force: true });
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });

    const holder = readUnitDirectives(files[0]!.content);
    const value = (key: string) => holder.filter((d) => d.key === key).map((d) => d.value);
    expect(parseExecLine(value('ExecStart')[0]!)).toEqual([input.nodePath, FLEET_CLI, 'start', '--supervisor', 'direct', '--holder-only']);
    expect(parseExecLine(value('ExecStop')[0]!)).toEqual([input.nodePath, FLEET_CLI, 'stop', '--all', '--supervisor', 'direct']);
    expect(Object.assign({}, ...value('Environment').map((v) => parseEnvironmentLine(v)))).toEqual({
      MOSAIC_HOME: input.mosaicHome,
      MOSAIC_FLEET_ROSTER: input.rosterPath,
      MOSAIC_TMUX_SOCKET: 'mft-q',
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
    });
    const template = readUnitDirectives(files[1]!.content);
    expect(template.find((d) => d.key === 'EnvironmentFile')?.value).toBe(`${tmp}/home 50%% $y/fleet/agents/%i.env`);
    const start = template.find((d) => d.key === 'ExecStart')!.value;
    expect(parseExecLine(start, { instance: 'alpha' })).toEqual([input.nodePath, FLEET_CLI, 'start', '--supervisor', 'direct', '--', 'alpha']);
  });

  it('refuses an agent name that systemd would mangle as an instance', () => {
    const input = { nodePath: '/n', cliPath: '/c', mosaicHome: '/m', rosterPath: '/r', socket: 's', environment: { PATH: '/bin' }, unitDir: '/u' };
    for (const name of ['ab*', 'a/b', 'ü', 'a\\b', "a'b", 'a$b']) {
      expect(() => renderUnits({ ...input, agents: [{ name, runtime: 'sim', workingDirectory: '/w', command: 'sim' }] })).toThrow(/cannot be a systemd unit instance/);
    }
    expect(renderUnits({ ...input, agents: [{ name: 'mos-claude_2', runtime: 'sim', workingDirectory: '/w', command: 'sim' }] }).files).toHaveLength(4);
  });
});
