// Does what is installed still match the roster? For `mosaic-fleet verify`: units present and ours, their node and
// CLI paths still there (the pm2 lesson: a node upgrade strands absolute paths), env files in step with the roster.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAgents, LOCAL_HOST, type Roster } from '../roster/index.js';
import { hasMarker, planStale } from './files.js';
import { fleetSocket } from './install.js';
import { parseEnvFile, parseEnvironmentLine, parseExecLine, escapeSpecifiers } from './quote.js';
import {
  AGENT_TEMPLATE_UNIT,
  GENERATED_MARKER,
  HOLDER_UNIT,
  LEGACY_DELIVER_UNIT,
  SERVE_UNIT,
  agentEnvDir,
  agentEnvPath,
  instanceNameProblem,
} from './render.js';

export interface InstallProblem {
  file: string;
  message: string;
}

export interface InstallCheck {
  ok: boolean;
  problems: InstallProblem[];
  /** The fix for every problem listed. */
  hint: string;
}

export interface CheckOptions {
  env?: NodeJS.ProcessEnv;
  /** The roster file the units should point at; unchecked when absent. */
  rosterPath?: string;
}

export interface UnitDirective {
  section: string;
  key: string;
  value: string;
}

/** The `Key=Value` lines of a unit file with their section (comments and blank lines dropped). */
export function readUnitDirectives(text: string): UnitDirective[] {
  let section = '';
  const directives: UnitDirective[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/u.exec(line);
    if (header) section = header[1]!;
    else if (line.includes('=')) directives.push({ section, key: line.slice(0, line.indexOf('=')).trim(), value: line.slice(line.indexOf('=') + 1).trim() });
  }
  return directives;
}

/** Compare the installed units and env files in `unitDir` / `mosaicHome` with `roster`. */
export function checkInstalledUnits(roster: Roster, unitDir: string, mosaicHome: string, options: CheckOptions = {}): InstallCheck {
  const env = options.env ?? process.env;
  const socket = fleetSocket(roster, env);
  const problems: InstallProblem[] = [];
  const expected: Record<string, string> = { MOSAIC_HOME: mosaicHome, MOSAIC_TMUX_SOCKET: socket };
  if (options.rosterPath !== undefined) expected.MOSAIC_FLEET_ROSTER = options.rosterPath;

  // The holder and the service run with the fleet's environment in their Environment= lines.
  for (const unit of [HOLDER_UNIT, SERVE_UNIT]) {
    const text = readOurs(join(unitDir, unit), problems);
    if (text === null) continue;
    const environment = Object.assign({}, ...directives(text, 'Environment').map((v) => parseEnvironmentLine(v))) as Record<string, string>;
    compare(join(unitDir, unit), environment, expected, problems);
    checkCommands(join(unitDir, unit), text, problems);
  }
  const template = readOurs(join(unitDir, AGENT_TEMPLATE_UNIT), problems);
  if (template !== null) {
    const envFile = `${escapeSpecifiers(agentEnvDir(mosaicHome))}/%i.env`;
    if (!directives(template, 'EnvironmentFile').includes(envFile)) {
      problems.push({ file: join(unitDir, AGENT_TEMPLATE_UNIT), message: `EnvironmentFile= is not ${envFile}` });
    }
    checkCommands(join(unitDir, AGENT_TEMPLATE_UNIT), template, problems);
  }

  const agents = resolveAgents(roster, env).filter((a) => a.host === LOCAL_HOST);
  for (const agent of agents) {
    const path = agentEnvPath(mosaicHome, agent.name);
    const nameProblem = instanceNameProblem(agent.name);
    if (nameProblem !== null) {
      problems.push({ file: path, message: nameProblem });
      continue;
    }
    const text = readOurs(path, problems);
    if (text === null) continue;
    compare(path, parseEnvFile(text), {
      ...expected,
      MOSAIC_AGENT_NAME: agent.name,
      MOSAIC_AGENT_RUNTIME: agent.runtime,
      MOSAIC_AGENT_WORKDIR: agent.workingDirectory,
    }, problems);
  }
  const legacy = join(unitDir, LEGACY_DELIVER_UNIT);
  if (existsSync(legacy) && hasMarker(readFileSync(legacy, 'utf8'), GENERATED_MARKER)) {
    problems.push({ file: legacy, message: `the deliverer unit of an older install, replaced by ${SERVE_UNIT}` });
  }
  const keep = new Set(agents.map((a) => agentEnvPath(mosaicHome, a.name)));
  for (const stale of planStale(agentEnvDir(mosaicHome), '.env', keep, GENERATED_MARKER)) {
    problems.push({ file: stale.path, message: 'environment file of an agent that is no longer in the roster' });
  }
  return { ok: problems.length === 0, problems, hint: 'run `mosaic-fleet install-systemd` to bring the units in step with the roster' };
}

function readOurs(path: string, problems: InstallProblem[]): string | null {
  if (!existsSync(path)) {
    problems.push({ file: path, message: 'missing' });
    return null;
  }
  const text = readFileSync(path, 'utf8');
  if (!hasMarker(text, GENERATED_MARKER)) {
    problems.push({ file: path, message: 'not written by mosaic-fleet install-systemd' });
    return null;
  }
  return text;
}

function directives(text: string, key: string): string[] {
  return readUnitDirectives(text)
    .filter((d) => d.section === 'Service' && d.key === key)
    .map((d) => d.value);
}

function compare(file: string, actual: Record<string, string>, expected: Record<string, string>, problems: InstallProblem[]): void {
  for (const [key, want] of Object.entries(expected)) {
    const have = actual[key];
    if (have !== want) problems.push({ file, message: have === undefined ? `${key} is not set (roster says '${want}')` : `${key} is '${have}', the roster says '${want}'` });
  }
}

// The node and CLI named by ExecStart=/ExecStop= must still exist.
function checkCommands(file: string, text: string, problems: InstallProblem[]): void {
  for (const key of ['ExecStart', 'ExecStop']) {
    for (const line of directives(text, key)) {
      let argv: string[];
      try {
        argv = parseExecLine(line, { instance: 'instance' });
      } catch (error) {
        problems.push({ file, message: `${key}= cannot be read: ${(error as Error).message}` });
        continue;
      }
      const [node, cli] = argv;
      if (node === undefined || !isExecutable(node)) problems.push({ file, message: `${key}= runs ${node ?? '(nothing)'}, which is not an executable file` });
      if (cli === undefined || !existsSync(cli)) problems.push({ file, message: `${key}= runs the CLI ${cli ?? '(none)'}, which does not exist` });
    }
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
