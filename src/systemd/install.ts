// `mosaic-fleet install-systemd`: render the units for the roster, write them idempotently, optionally enable them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FleetError, UsageError } from '../errors.js';
import { formatArgv } from '../exec/run.js';
import { packageRoot } from '../paths.js';
import { loadRoster, mosaicHome, resolveAgents, resolveRosterPath, LOCAL_HOST, type ResolvedAgent, type Roster } from '../roster/index.js';
import { applyChanges, hasMarker, planStale, planWrite, type FileChange, type FileStatus } from './files.js';
import {
  GENERATED_MARKER,
  HOLDER_UNIT,
  LEGACY_DELIVER_UNIT,
  SERVE_UNIT,
  agentEnvDir,
  agentUnitName,
  instanceNameProblem,
  renderUnits,
  type GeneratedKind,
  type UnitInput,
} from './render.js';
import { tmuxServerOwner } from './cgroup.js';
import { currentUser, defaultUnitDir, lingerState, probeUserManager, systemctlUser } from './systemctl.js';

/** Variables copied from the installing shell into the units (PATH always; the rest when set). */
export const CAPTURED_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TMUX_TMPDIR'] as const;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface InstallSystemdOptions {
  /** --roster; default $MOSAIC_FLEET_ROSTER or $MOSAIC_HOME/fleet/roster.yaml. */
  roster?: string;
  /** --unit-dir; default $XDG_CONFIG_HOME/systemd/user. */
  unitDir?: string;
  dryRun?: boolean;
  enable?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface FileReport {
  path: string;
  kind: GeneratedKind;
  status: FileStatus;
  /** The file was not written by mosaic-fleet and is replaced. */
  foreign?: boolean;
  /** With --dry-run: what would be written. */
  content?: string;
  /** A unit of an older install, removed because this one replaces it. */
  replacedBy?: string;
}

export interface EnableStep {
  command: string;
  ok: boolean;
  detail?: string;
}

export interface EnableReport {
  ok: boolean;
  steps: EnableStep[];
  error?: string;
  hint?: string;
}

export interface InstallSystemdReport {
  dryRun: boolean;
  unitDir: string;
  mosaicHome: string;
  rosterPath: string;
  socket: string;
  /** Agents that got an environment file, in roster order. */
  agents: string[];
  /** Agents left out (remote hosts run their own units). */
  skipped: { agent: string; reason: string }[];
  files: FileReport[];
  warnings: string[];
  enable?: EnableReport;
  /** Commands the user may want to run next. */
  next: string[];
}

/** Render, compare with disk, write (unless dry-run), check lingering, and enable (when asked). */
export async function installSystemd(options: InstallSystemdOptions = {}): Promise<InstallSystemdReport> {
  const env = options.env ?? process.env;
  const rosterPath = resolveRosterPath({ flag: options.roster, env });
  const roster = loadRoster(rosterPath, { env });
  const agents = resolveAgents(roster, env);
  const local = agents.filter((a) => a.host === LOCAL_HOST);
  refuseBadInstanceNames(local);
  const input = buildUnitInput(roster, local, { env, rosterPath, unitDir: options.unitDir ?? defaultUnitDir(env) });
  const rendered = renderUnits(input);
  const writes = rendered.files.map((file) => ({ file, change: planWrite(file, { marker: GENERATED_MARKER }) }));
  const keep = new Set(rendered.files.map((f) => f.path));
  const stale = planStale(agentEnvDir(input.mosaicHome), '.env', keep, GENERATED_MARKER);
  const legacy = await planLegacy(input.unitDir, env, options);
  const changes: FileChange[] = [...writes.map((w) => w.change), ...(legacy.change ? [legacy.change] : []), ...stale];
  if (!options.dryRun) applyChanges(changes);

  const report: InstallSystemdReport = {
    dryRun: Boolean(options.dryRun),
    unitDir: input.unitDir,
    mosaicHome: input.mosaicHome,
    rosterPath,
    socket: input.socket,
    agents: local.map((a) => a.name),
    skipped: agents.filter((a) => a.host !== LOCAL_HOST).map((a) => ({ agent: a.name, reason: `runs on host '${a.host}': install the units there` })),
    files: [
      ...writes.map(({ file, change }) => fileReport(change, file.kind, Boolean(options.dryRun))),
      ...(legacy.change ? [{ ...fileReport(legacy.change, 'unit', false), replacedBy: SERVE_UNIT }] : []),
      ...stale.map((change) => fileReport(change, 'env', false)),
    ],
    warnings: [...(await collectWarnings(input, env, options)), ...legacy.warnings],
    next: [],
  };
  const gone = staleInstances(input.unitDir, stale, report.agents);
  report.warnings.push(...(await runningLeftovers(gone, input.socket, env)));
  if (options.enable && !options.dryRun) {
    const failed = legacy.steps.find((s) => !s.ok);
    report.enable = failed
      ? { ok: false, steps: legacy.steps, error: `systemctl --user disable failed${failed.detail ? `: ${failed.detail.split('\n')[0]}` : ''}` }
      : await enableUnits(report, gone, env, legacy.steps);
  }
  report.next = nextSteps(report, Boolean(options.enable), legacy.leftBehind);
  return report;
}

interface LegacyPlan {
  /** The removal of our old deliverer unit, or null (none, not ours, or kept because it could not be disabled). */
  change: FileChange | null;
  /** With --enable: `disable --now` of it, run before its file goes (systemctl needs the file to disable it). */
  steps: EnableStep[];
  warnings: string[];
  /** Without --enable: what is still enabled or running from it, so the next steps end it. */
  leftBehind: { enabled: boolean; active: boolean };
}

// mosaic-serve.service replaces the `deliver --watch` unit of older installs: two deliverers must not run at once.
async function planLegacy(unitDir: string, env: NodeJS.ProcessEnv, options: InstallSystemdOptions): Promise<LegacyPlan> {
  const plan: LegacyPlan = { change: null, steps: [], warnings: [], leftBehind: { enabled: false, active: false } };
  const path = join(unitDir, LEGACY_DELIVER_UNIT);
  if (!existsSync(path)) return plan;
  if (!hasMarker(readFileSync(path, 'utf8'), GENERATED_MARKER)) {
    plan.warnings.push(
      `${path} was not written by mosaic-fleet, so it is left alone; ${SERVE_UNIT} delivers queued messages now: ` +
        `if that unit runs \`mosaic-fleet deliver --watch\`, disable it (systemctl --user disable --now ${LEGACY_DELIVER_UNIT})`,
    );
    return plan;
  }
  const removal: FileChange = { path, status: 'removed', mode: 0 };
  if (options.dryRun) return { ...plan, change: removal };
  const manager = await probeUserManager({ env });
  if (!options.enable) {
    if (manager.available) plan.leftBehind = await legacyState(env);
    return { ...plan, change: removal };
  }
  if (!manager.available) {
    plan.warnings.push(`kept ${path}: it cannot be disabled and stopped without a user manager; re-run with --enable once one answers`);
    return plan;
  }
  const args = ['disable', '--now', LEGACY_DELIVER_UNIT];
  const r = await systemctlUser(args, { env });
  const detail = (r.spawnError?.message ?? r.stderr).trim();
  plan.steps.push({ command: formatArgv(['systemctl', '--user', ...args]), ok: r.code === 0, ...(detail ? { detail } : {}) });
  if (r.code !== 0) {
    plan.warnings.push(`kept ${path}: disabling it failed`);
    return plan;
  }
  return { ...plan, change: removal };
}

async function legacyState(env: NodeJS.ProcessEnv): Promise<LegacyPlan['leftBehind']> {
  const r = await systemctlUser(['show', '--property=UnitFileState', '--property=ActiveState', '--', LEGACY_DELIVER_UNIT], { env });
  return { enabled: /^UnitFileState=enabled$/mu.test(r.stdout), active: /^ActiveState=(active|activating|reloading)$/mu.test(r.stdout) };
}

/** The renderer's input for this roster and environment: absolute node and CLI, captured PATH and locale. */
export function buildUnitInput(
  roster: Roster,
  agents: ResolvedAgent[],
  options: { env: NodeJS.ProcessEnv; rosterPath: string; unitDir: string; nodePath?: string; cliPath?: string },
): UnitInput {
  const cliPath = options.cliPath ?? builtCli();
  return {
    nodePath: options.nodePath ?? process.execPath,
    cliPath,
    mosaicHome: mosaicHome(options.env),
    rosterPath: options.rosterPath,
    socket: fleetSocket(roster, options.env),
    environment: capturedEnvironment(options.env),
    unitDir: options.unitDir,
    agents: agents.map((a) => ({ name: a.name, runtime: a.runtime, workingDirectory: a.workingDirectory, command: displayCommand(a) })),
  };
}

/** The socket every command would use: $MOSAIC_TMUX_SOCKET, else the roster's. */
export function fleetSocket(roster: Roster, env: NodeJS.ProcessEnv): string {
  return env.MOSAIC_TMUX_SOCKET || roster.tmux.socket_name;
}

export function capturedEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const captured: Record<string, string> = { PATH: uniquePath(env.PATH || FALLBACK_PATH) };
  for (const key of CAPTURED_ENV) {
    const value = env[key];
    if (key !== 'PATH' && value) captured[key] = value;
  }
  return captured;
}

/** PATH with each directory once, first occurrence kept (shell profiles often prepend the same ones again). */
export function uniquePath(path: string): string {
  const seen = new Set<string>();
  return path
    .split(':')
    .filter((dir) => dir !== '' && !seen.has(dir) && seen.add(dir))
    .join(':');
}

/** What the agent runs, as a person would type it (display only). */
export function displayCommand(agent: ResolvedAgent): string {
  if (agent.command) return formatArgv(agent.command);
  return agent.launcher === 'mosaic' ? `mosaic yolo ${agent.runtime}` : agent.runtime;
}

function builtCli(): string {
  const path = join(packageRoot(), 'dist', 'cli', 'fleet-bin.js');
  if (!existsSync(path)) throw new FleetError('INTERNAL', `the built CLI is missing: ${path}`, { hint: 'run `npm run build` in the mosaic-fleet package' });
  return path;
}

function refuseBadInstanceNames(agents: ResolvedAgent[]): void {
  const problems = agents.map((a) => instanceNameProblem(a.name)).filter((p): p is string => p !== null);
  if (problems.length > 0) throw new UsageError(problems.join('\n'), 'rename those agents in the roster, or run the fleet with --supervisor direct');
}

function fileReport(change: FileChange, kind: GeneratedKind, withContent: boolean): FileReport {
  return {
    path: change.path,
    kind,
    status: change.status,
    ...(change.foreign ? { foreign: true } : {}),
    ...(withContent && change.content !== undefined && change.status !== 'unchanged' ? { content: change.content } : {}),
  };
}

async function collectWarnings(input: UnitInput, env: NodeJS.ProcessEnv, options: InstallSystemdOptions): Promise<string[]> {
  const warnings: string[] = [];
  const user = currentUser(env);
  const linger = await lingerState(user, { env });
  if (linger.state === 'off') {
    warnings.push(`lingering is off for ${user}: the user manager, and the fleet with it, stops at logout; fix: loginctl enable-linger ${user}`);
  } else if (linger.state === 'unknown') {
    warnings.push(`cannot tell whether lingering is on: ${linger.detail.replace(/\.$/u, '')}; without it the fleet stops at logout (loginctl enable-linger ${user})`);
  }
  if (options.enable && input.unitDir !== defaultUnitDir(env)) {
    warnings.push(`systemctl --user does not read ${input.unitDir}; units there cannot be enabled unless it is on the unit search path`);
  }
  const owner = await tmuxServerOwner(input.socket, env);
  if (owner.running && !owner.inHolder) {
    warnings.push(
      `a tmux server already runs on socket ${input.socket} outside ${HOLDER_UNIT} (${owner.unit ? `in ${owner.unit}` : `pid ${owner.pid}`}); ` +
        `stop it (mosaic-fleet stop --all --supervisor direct) before starting ${HOLDER_UNIT}, so the holder unit creates the server in its own cgroup`,
    );
  }
  return warnings;
}

// A removed agent's unit that is still active cannot stop its session any more (its env file is gone and the
// roster no longer names it), so say how to end it by hand. Asked only when a user manager answers.
async function runningLeftovers(gone: string[], socket: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (gone.length === 0 || !(await probeUserManager({ env })).available) return [];
  const r = await systemctlUser(['show', '--property=ActiveState', '--value', '--', ...gone.map(agentUnitName)], { env });
  if (r.code !== 0) return [];
  const states = r.stdout.split('\n').filter((l) => l.trim() !== '');
  return gone
    .filter((_, i) => states[i] === 'active')
    .map((name) =>
      `${agentUnitName(name)} is still active but '${name}' left the roster: its unit cannot stop the session any more; ` +
        `end it with \`tmux -L ${socket} kill-session -t =${name}\`, then \`systemctl --user stop ${agentUnitName(name)}\` and \`systemctl --user reset-failed ${agentUnitName(name)}\``,
    );
}

// Instances still enabled (a wants/ link) or whose env file we just removed, for agents no longer in the roster.
function staleInstances(unitDir: string, removed: FileChange[], agents: string[]): string[] {
  const names = new Set(removed.map((c) => basename(c.path, '.env')));
  const wants = join(unitDir, 'default.target.wants');
  if (existsSync(wants)) {
    for (const link of readdirSync(wants)) {
      const m = /^mosaic-agent@(.+)\.service$/u.exec(link);
      if (m) names.add(m[1]!);
    }
  }
  return [...names].filter((n) => !agents.includes(n)).sort();
}

async function enableUnits(report: InstallSystemdReport, stale: string[], env: NodeJS.ProcessEnv, done: EnableStep[] = []): Promise<EnableReport> {
  const probe = await probeUserManager({ env });
  if (!probe.available) {
    return {
      ok: false,
      steps: [],
      error: `no systemd user manager answers (${probe.detail}); the units are written but not enabled`,
      hint:
        'log in so that systemd starts your user manager (ssh or a console login, not su/sudo), check XDG_RUNTIME_DIR=/run/user/$(id -u), ' +
        'then re-run with --enable; meanwhile run the fleet with `mosaic-fleet start --supervisor direct`',
    };
  }
  const steps: EnableStep[] = [...done];
  const commands = [
    ['daemon-reload'],
    ['enable', HOLDER_UNIT, SERVE_UNIT, ...report.agents.map(agentUnitName)],
    ...(stale.length > 0 ? [['disable', ...stale.map(agentUnitName)]] : []),
  ];
  for (const args of commands) {
    const r = await systemctlUser(args, { env });
    const ok = r.code === 0;
    const detail = (r.spawnError?.message ?? r.stderr).trim();
    steps.push({ command: formatArgv(['systemctl', '--user', ...args]), ok, ...(detail ? { detail } : {}) });
    if (!ok) return { ok: false, steps, error: `systemctl --user ${args[0]} failed${detail ? `: ${detail.split('\n')[0]}` : ''}` };
  }
  return { ok: true, steps };
}

function nextSteps(report: InstallSystemdReport, enable: boolean, legacy: LegacyPlan['leftBehind']): string[] {
  const units = [HOLDER_UNIT, SERVE_UNIT, ...report.agents.map(agentUnitName)];
  const unitsChanged = report.files.some((f) => f.kind === 'unit' && f.status !== 'unchanged');
  if (report.dryRun) return [`mosaic-fleet install-systemd${enable ? ' --enable' : ''}`];
  if (enable && report.enable?.ok) return [formatArgv(['systemctl', '--user', 'start', ...units])];
  if (enable) return [];
  // The old deliverer's file is gone: `disable` still removes its links; `stop` ends it when it was not enabled.
  const endLegacy = legacy.enabled ? [`systemctl --user disable --now ${LEGACY_DELIVER_UNIT}`] : legacy.active ? [`systemctl --user stop ${LEGACY_DELIVER_UNIT}`] : [];
  return [
    ...(unitsChanged ? ['systemctl --user daemon-reload'] : []),
    ...endLegacy,
    formatArgv(['systemctl', '--user', 'enable', '--now', ...units]),
  ];
}
