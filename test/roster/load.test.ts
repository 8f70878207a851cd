import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/errors.js';
import { RosterError, loadRoster, parseRoster, type ParseRosterOptions } from '../../src/roster/index.js';

let home: string;
let opts: ParseRosterOptions;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'roster-home-'));
  opts = { env: { HOME: home } };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** The `file:line:column: path: message` lines of the RosterError thrown for `text`. */
function problems(text: string, options: ParseRosterOptions = opts): string[] {
  try {
    parseRoster(text, 'r.yaml', options);
  } catch (error) {
    expect(error).toBeInstanceOf(RosterError);
    const lines = (error as RosterError).message.split('\n');
    expect(lines[0]).toBe(`roster r.yaml has ${lines.length - 1} problem(s):`);
    return lines.slice(1);
  }
  throw new Error('expected a RosterError');
}

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

describe('parseRoster: valid rosters', () => {
  it('applies defaults and expands ~ for local agents', () => {
    const roster = parseRoster(lines('version: 1', 'agents:', '  - name: coder0'), 'r.yaml', opts);
    expect(roster.transport).toBe('tmux');
    expect(roster.tmux).toEqual({ socket_name: 'mosaic-factory', holder_session: '_holder' });
    expect(roster.defaults).toEqual({ working_directory: '~', runtime: 'claude', launcher: 'direct', ready_timeout_seconds: 60, delivery_receipt: 'screen' });
    expect(roster.agents[0]!.working_directory).toBe(home);
    expect(roster.runtimes).toEqual({});
    expect(roster.hosts).toEqual({});
  });

  it('expands $HOME and ${HOME}, resolves relative directories against the roster file, and leaves remote ones alone', () => {
    mkdirSync(join(home, 'src', 'x'), { recursive: true });
    const file = join(home, 'cfg', 'roster.yaml');
    const text = lines(
      'version: 1',
      'hosts:',
      '  box: { ssh: me@box, identity_file: ~/.ssh/id_box }',
      'agents:',
      '  - { name: a, working_directory: $HOME/src }',
      '  - { name: b, working_directory: "${HOME}/src/x" }',
      '  - { name: c, working_directory: ../src }',
      '  - { name: d, host: box, working_directory: ~/remote-only }',
    );
    const roster = parseRoster(text, file, opts);
    expect(roster.agents.map((a) => a.working_directory)).toEqual([
      join(home, 'src'),
      join(home, 'src', 'x'),
      join(home, 'src'),
      '~/remote-only',
    ]);
    expect(roster.hosts.box).toEqual({ ssh: 'me@box', port: 22, identity_file: join(home, '.ssh', 'id_box') });
  });

  it('coerces env values written as numbers and booleans to strings', () => {
    const roster = parseRoster(lines('version: 1', 'agents:', '  - name: a', '    env: { PORT: 8080, DEBUG: true, NAME: x }'), 'r.yaml', opts);
    expect(roster.agents[0]!.env).toEqual({ PORT: '8080', DEBUG: 'true', NAME: 'x' });
  });
});

describe('parseRoster: every problem at its exact position', () => {
  it('reports all YAML syntax errors, and only those', () => {
    const text = lines('version: 1', 'agents: [', '  - name: a', 'b: {', 'b: 1');
    expect(problems(text)).toEqual([
      'r.yaml:3:3: YAML syntax: Block collections are not allowed within flow collections',
      'r.yaml:4:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'r.yaml:5:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
      'r.yaml:5:1: YAML syntax: Map keys must be unique',
    ]);
  });

  it('reports duplicate YAML keys as syntax errors', () => {
    expect(problems(lines('version: 1', 'version: 1', 'agents:', '  - name: a'))).toEqual([
      'r.yaml:2:1: YAML syntax: Map keys must be unique',
    ]);
  });

  it('points unknown keys at the key, with did-you-mean and the allowed keys', () => {
    const text = lines('version: 1', 'tmux:', '  socket_nmae: x', 'agents:', '  - name: a', '    runtim: pi', 'agnets: []');
    expect(problems(text)).toEqual([
      "r.yaml:3:3: tmux.socket_nmae: unknown key 'socket_nmae' (did you mean 'socket_name'?); allowed here: socket_name, holder_session",
      "r.yaml:6:5: agents.0.runtim: unknown key 'runtim' (did you mean 'runtime'?); allowed here: name, runtime, class, model_hint, persistent_persona, reset_between_tasks, kickstart_template, working_directory, command, env, host, launcher, pi_skill_mode, delivery_receipt, restart",
      "r.yaml:7:1: agnets: unknown key 'agnets' (did you mean 'agents'?); allowed here: version, transport, tmux, defaults, runtimes, hosts, agents",
    ]);
  });

  it('says what type or value is expected', () => {
    const text = lines(
      'version: 2',
      'defaults:',
      '  launcher: mosiac',
      '  ready_timeout_seconds: 0',
      'hosts:',
      '  box: { ssh: me@box, port: "22" }',
      'agents:',
      '  - name: a',
      '    persistent_persona: maybe',
      '    command: 5',
      '    reset_between_tasks: yes',
    );
    expect(problems(text)).toEqual([
      'r.yaml:1:10: version: expected 1, got 2',
      "r.yaml:3:13: defaults.launcher: expected one of direct, mosaic; got 'mosiac' (did you mean 'mosaic'?)",
      'r.yaml:4:26: defaults.ready_timeout_seconds: must be greater than 0',
      "r.yaml:6:29: hosts.box.port: expected a number, got '22'",
      "r.yaml:9:25: agents.0.persistent_persona: expected true, false or 'semi', got 'maybe'",
      'r.yaml:10:14: agents.0.command: expected a command string (run via sh -c) or a list of argv strings, got 5',
      "r.yaml:11:26: agents.0.reset_between_tasks: expected true or false, got 'yes'",
    ]);
  });

  it('points a missing key at its parent mapping', () => {
    const text = lines('agents:', '  - runtime: pi', '  - name: b', 'hosts:', '  box:', '    port: 22');
    expect(problems(text)).toEqual([
      "r.yaml:1:1: version: missing required key 'version'; add `version: 1` at the top of the file",
      "r.yaml:2:5: agents.0.name: missing required key 'name'; give every agent a name",
      "r.yaml:6:5: hosts.box.ssh: missing required key 'ssh'; set `ssh: user@host`",
    ]);
  });

  it('reports a missing or empty agents list', () => {
    expect(problems(lines('version: 1'))).toEqual([
      "r.yaml:1:1: agents: missing required key 'agents'; add an `agents:` list with at least one `- name: ...` entry",
    ]);
    expect(problems(lines('version: 1', 'agents: []'))).toEqual([
      'r.yaml:2:9: agents: the roster defines no agents; add at least one `- name: ...` entry',
    ]);
  });

  it('suggests the mapping form for a bare agent name', () => {
    expect(problems(lines('version: 1', 'agents:', '  - coder0'))).toEqual([
      "r.yaml:3:5: agents.0: expected a mapping (key: value), got 'coder0'; write `- name: coder0`",
    ]);
  });

  it('names a bad restart policy, short or long form, at its exact position with the fix', () => {
    const text = lines(
      'version: 1',
      'defaults:',
      '  restart: { policy: on-failure, max_restarts: 0 }',
      'agents:',
      '  - name: a',
      '    restart: sometimes',
      '  - name: b',
      '    restart: { policy: alway, backoff_seconds: -1, max_restart: 3 }',
    );
    expect(problems(text)).toEqual([
      'r.yaml:3:48: defaults.restart.max_restarts: must be at least 1',
      "r.yaml:6:14: agents.0.restart: expected never, on-failure, always or a mapping {policy, max_restarts, window_seconds, backoff_seconds, max_backoff_seconds, kickstart}, got 'sometimes'",
      "r.yaml:8:24: agents.1.restart.policy: expected one of never, on-failure, always; got 'alway' (did you mean 'always'?)",
      'r.yaml:8:48: agents.1.restart.backoff_seconds: must be at least 0',
      "r.yaml:8:52: agents.1.restart.max_restart: unknown key 'max_restart' (did you mean 'max_restarts'?); allowed here: policy, max_restarts, window_seconds, backoff_seconds, max_backoff_seconds, kickstart",
    ]);
  });

  it('explains that a bare ~ is null', () => {
    expect(problems(lines('version: 1', 'defaults:', '  working_directory: ~', 'agents:', '  - name: a'))).toEqual([
      'r.yaml:3:22: defaults.working_directory: expected a string, got an empty value; a bare ~ is null in YAML, so quote it: "~"',
    ]);
  });

  it('points a duplicate agent name at the second one', () => {
    expect(problems(lines('version: 1', 'agents:', '  - name: coder0', '  - name: coder1', '  - name: coder0'))).toEqual([
      "r.yaml:5:11: agents.2.name: duplicate agent name 'coder0' (first used on line 3); give each agent its own name",
    ]);
  });

  it('rejects agent names tmux cannot hold or would misread, with a fix', () => {
    const text = lines(
      'version: 1',
      'agents:',
      '  - name: coder.0',
      '  - name: "a:b"',
      '  - name: "=x"',
      '  - name: "%1"',
      '  - name: "$s"',
      '  - name: "@w"',
      '  - name: "my agent"',
      '  - name: "bell\\x07"',
      '  - name: ""',
      '  - name: _holder',
    );
    expect(problems(text)).toEqual([
      "r.yaml:3:11: agents.0.name: agent name 'coder.0' contains '.', which tmux reads as the window.pane separator; use 'coder-0' instead",
      "r.yaml:4:11: agents.1.name: agent name 'a:b' contains ':', which tmux reads as the session:window separator; use 'a-b' instead",
      "r.yaml:5:11: agents.2.name: agent name '=x' starts with '=', which tmux reads as target syntax; use 'x' instead",
      "r.yaml:6:11: agents.3.name: agent name '%1' starts with '%', which tmux reads as target syntax; use '1' instead",
      "r.yaml:7:11: agents.4.name: agent name '$s' starts with '$', which tmux reads as target syntax; use 's' instead",
      "r.yaml:8:11: agents.5.name: agent name '@w' starts with '@', which tmux reads as target syntax; use 'w' instead",
      "r.yaml:9:11: agents.6.name: agent name 'my agent' contains whitespace; use 'my-agent' instead",
      "r.yaml:10:11: agents.7.name: agent name 'bell\\x07' contains a control character; use 'bell' instead",
      'r.yaml:11:11: agents.8.name: agent name is empty; use a name such as coder0',
      "r.yaml:12:11: agents.9.name: '_holder' is the tmux holder session; rename the agent or change tmux.holder_session",
    ]);
  });

  it('reports unknown runtimes with did-you-mean, and custom runtimes without a command', () => {
    const text = lines(
      'version: 1',
      'defaults:',
      '  runtime: cluade',
      'runtimes:',
      '  mytool:',
      '    base: shell',
      '  claude:',
      '    base: pi',
      'agents:',
      '  - name: a',
      '  - name: b',
      '    runtime: mytol',
    );
    expect(problems(text)).toEqual([
      "r.yaml:3:12: defaults.runtime: unknown runtime 'cluade' (did you mean 'claude'?); use one of claude, codex, pi, opencode, gemini, shell, sim, mytool, or define it under runtimes:",
      "r.yaml:6:5: runtimes.mytool: custom runtime 'mytool' needs a command (a string or an argv list)",
      "r.yaml:8:11: runtimes.claude.base: base only applies to custom runtimes; 'claude' is builtin and reads its own screen",
      "r.yaml:12:14: agents.1.runtime: unknown runtime 'mytol' (did you mean 'mytool'?); use one of claude, codex, pi, opencode, gemini, shell, sim, mytool, or define it under runtimes:",
    ]);
  });

  it('reports unknown host references and a host named local', () => {
    const text = lines(
      'version: 1',
      'hosts:',
      '  box: { ssh: me@box }',
      '  local: { ssh: me@here }',
      'agents:',
      '  - { name: a, host: boxx }',
      '  - { name: b, host: box }',
      '  - { name: c, host: local }',
    );
    expect(problems(text)).toEqual([
      "r.yaml:4:3: hosts.local: 'local' means this machine and cannot be a remote host; rename it",
      "r.yaml:6:22: agents.0.host: unknown host 'boxx' (did you mean 'box'?); use 'local' or one of box, local",
    ]);
    expect(problems(lines('version: 1', 'agents:', '  - { name: a, host: far }'))).toEqual([
      "r.yaml:3:22: agents.0.host: unknown host 'far'; define it under hosts:",
    ]);
  });

  it('reports missing working directories of local agents only, once per YAML value', () => {
    const text = lines(
      'version: 1',
      'defaults:',
      '  working_directory: ~/nope',
      'hosts:',
      '  box: { ssh: me@box }',
      'agents:',
      '  - name: a',
      '  - name: b',
      '  - name: c',
      '    working_directory: /definitely/not/here',
      '  - { name: d, host: box, working_directory: /remote/only }',
      '  - { name: e, working_directory: ~ok }',
    );
    writeFileSync(join(home, 'file'), '');
    expect(problems(text)).toEqual([
      `r.yaml:3:22: defaults.working_directory: working directory '${join(home, 'nope')}' does not exist; create it or change working_directory`,
      "r.yaml:10:24: agents.2.working_directory: working directory '/definitely/not/here' does not exist; create it or change working_directory",
      `r.yaml:12:35: agents.4.working_directory: working directory '${join(process.cwd(), '~ok')}' does not exist; create it or change working_directory`,
    ]);
    expect(problems(lines('version: 1', 'agents:', '  - { name: a, working_directory: ~/file }'))).toEqual([
      `r.yaml:3:35: agents.0.working_directory: working directory '${join(home, 'file')}' is not a directory; create it or change working_directory`,
    ]);
    expect(() => parseRoster(text, 'r.yaml', { ...opts, checkDirectories: false })).not.toThrow();
  });

  it('reports every kind of problem at once, in file order', () => {
    const text = lines(
      'version: 1',
      'transport: matrix',
      'agents:',
      '  - name: a.b',
      '    runtime: pie',
      '  - name: a.b',
      '    colour: red',
    );
    expect(problems(text)).toEqual([
      "r.yaml:2:12: transport: transport 'matrix' is not available yet; use transport: tmux",
      "r.yaml:4:11: agents.0.name: agent name 'a.b' contains '.', which tmux reads as the window.pane separator; use 'a-b' instead",
      "r.yaml:5:14: agents.0.runtime: unknown runtime 'pie' (did you mean 'pi'?); use one of claude, codex, pi, opencode, gemini, shell, sim, or define it under runtimes:",
      "r.yaml:6:11: agents.1.name: agent name 'a.b' contains '.', which tmux reads as the window.pane separator; use 'a-b' instead",
      "r.yaml:6:11: agents.1.name: duplicate agent name 'a.b' (first used on line 4); give each agent its own name",
      "r.yaml:7:5: agents.1.colour: unknown key 'colour'; allowed here: name, runtime, class, model_hint, persistent_persona, reset_between_tasks, kickstart_template, working_directory, command, env, host, launcher, pi_skill_mode, delivery_receipt, restart",
    ]);
  });

  it('carries structured issues on the error', () => {
    try {
      parseRoster(lines('version: 1', 'agents:', '  - name: a', '    host: nowhere'), 'r.yaml', opts);
      expect.unreachable();
    } catch (error) {
      const e = error as RosterError;
      expect(e.code).toBe('ROSTER_INVALID');
      expect(e.exitCode).toBe(5);
      expect(e.issues).toEqual([
        { file: 'r.yaml', line: 4, column: 11, path: 'agents.0.host', message: "unknown host 'nowhere'; define it under hosts:" },
      ]);
    }
  });

  it('reports an empty file at 1:1', () => {
    expect(problems('')).toEqual([
      'r.yaml:1:1: the roster is empty; start with `version: 1` and an `agents:` list (mosaic-fleet init --profile minimal --write writes one)',
    ]);
  });
});

describe('transport matrix alone', () => {
  it('is TRANSPORT_UNAVAILABLE with a hint and the position in details', () => {
    const run = () => parseRoster(lines('version: 1', 'transport: matrix', 'agents:', '  - name: a'), 'r.yaml', opts);
    expect(run).toThrow(FleetError);
    try {
      run();
    } catch (error) {
      const e = error as FleetError;
      expect(e).not.toBeInstanceOf(RosterError);
      expect(e.code).toBe('TRANSPORT_UNAVAILABLE');
      expect(e.message).toBe("r.yaml:2:12: transport 'matrix' is not available yet");
      expect(e.hint).toBe('use transport: tmux');
      expect(e.details).toEqual({ file: 'r.yaml', line: 2, column: 12, path: 'transport' });
    }
  });
});

describe('loadRoster', () => {
  it('reads and validates a file', () => {
    const file = join(home, 'roster.yaml');
    writeFileSync(file, lines('version: 1', 'agents:', '  - name: a'));
    expect(loadRoster(file, opts).agents[0]!.name).toBe('a');
  });

  it('reports positions against the real file name', () => {
    const file = join(home, 'roster.yaml');
    writeFileSync(file, lines('version: 1', 'agents:', '  - name: a', '    runtime: nope'));
    expect(() => loadRoster(file, opts)).toThrow(`${file}:4:14: agents.0.runtime: unknown runtime 'nope'`);
  });

  it('says ROSTER_MISSING with the init hint when the file does not exist', () => {
    const file = join(home, 'missing.yaml');
    try {
      loadRoster(file, opts);
      expect.unreachable();
    } catch (error) {
      const e = error as FleetError;
      expect(e.code).toBe('ROSTER_MISSING');
      expect(e.message).toBe(`roster not found: ${file}`);
      expect(e.hint).toBe(`mosaic-fleet init --profile minimal --write --roster ${file}`);
    }
  });
});
