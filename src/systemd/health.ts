// `verify` under systemd: what the user manager itself says about the fleet's units (loaded from our files, up to
// date, enabled, active), where the tmux server lives, and whether lingering keeps it all up after logout.
import { join } from 'node:path';
import type { Check } from '../transport/types.js';
import { resolveAgents, LOCAL_HOST, type Roster } from '../roster/index.js';
import { checkInstalledUnits } from './check.js';
import { tmuxServerOwner } from './cgroup.js';
import { fleetSocket } from './install.js';
import { AGENT_TEMPLATE_UNIT, HOLDER_UNIT, SERVE_UNIT, agentUnitName } from './render.js';
import { currentUser, lingerState, probeUserManager, systemctlUser, type LingerOptions } from './systemctl.js';

/** The properties of one unit that verify reads (`systemctl --user show`). */
export interface UnitState {
  id: string;
  loadState: string;
  activeState: string;
  subState: string;
  result: string;
  unitFileState: string;
  fragmentPath: string;
  needDaemonReload: boolean;
  /** The running main process (0 when none). */
  mainPid: number;
  /** The exit status of the last main process (0 when it has not exited). */
  execMainStatus: number;
}

export const UNIT_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState', 'Result', 'UnitFileState', 'FragmentPath', 'NeedDaemonReload', 'MainPID', 'ExecMainStatus'] as const;

/** `systemctl show -p ... a b c` output: one block of Key=Value lines per unit, in the order asked. */
export function parseUnitStates(text: string): UnitState[] {
  return text
    .trim()
    .split(/\n\s*\n/u)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const p = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      return {
        id: p.Id ?? '',
        loadState: p.LoadState ?? '',
        activeState: p.ActiveState ?? '',
        subState: p.SubState ?? '',
        result: p.Result ?? '',
        unitFileState: p.UnitFileState ?? '',
        fragmentPath: p.FragmentPath ?? '',
        needDaemonReload: p.NeedDaemonReload === 'yes',
        mainPid: Number(p.MainPID ?? 0) || 0,
        execMainStatus: Number(p.ExecMainStatus ?? 0) || 0,
      };
    });
}

export interface SupervisionInput {
  roster: Roster;
  rosterPath: string;
  unitDir: string;
  mosaicHome: string;
  env: NodeJS.ProcessEnv;
  linger?: LingerOptions;
}

/** Every systemd check of `verify`, for a fleet whose units are installed and whose user manager answers. */
export async function supervisionChecks(input: SupervisionInput): Promise<Check[]> {
  const { roster, env } = input;
  const checks: Check[] = [];
  const probe = await probeUserManager({ env });
  checks.push(probe.available
    ? { name: 'systemd manager', status: 'pass', detail: `${probe.detail} user manager answers` }
    : { name: 'systemd manager', status: 'fail', detail: probe.detail, hint: 'log in through a session with a user manager (ssh or console), or use --supervisor direct' });

  const files = checkInstalledUnits(roster, input.unitDir, input.mosaicHome, { env, rosterPath: input.rosterPath });
  const agents = resolveAgents(roster, env).filter((a) => a.host === LOCAL_HOST).map((a) => a.name);
  const units = [HOLDER_UNIT, SERVE_UNIT, ...agents.map(agentUnitName)];
  const states = probe.available ? await readStates(units, env) : [];
  const loadProblems = states.flatMap((s) => loadProblemsOf(s, input.unitDir));
  const problems = [...files.problems.map((p) => `${p.file}: ${p.message}`), ...loadProblems];
  checks.push(problems.length === 0
    ? { name: 'systemd units', status: 'pass', detail: `installed, consistent with the roster${probe.available ? `, loaded by the user manager (${units.length} units)` : ''}` }
    : { name: 'systemd units', status: 'fail', detail: problems.join('; '), hint: loadProblems.some((p) => p.includes('daemon-reload')) && files.ok ? 'systemctl --user daemon-reload' : files.hint });

  if (probe.available) {
    const byId = new Map(states.map((s) => [s.id, s]));
    checks.push(await holderCheck(byId.get(HOLDER_UNIT), fleetSocket(roster, env), env));
    checks.push(serviceCheck(byId.get(SERVE_UNIT)));
    checks.push(agentsCheck(agents.map((a) => byId.get(agentUnitName(a))).filter((s): s is UnitState => s !== undefined)));
    const notEnabled = [HOLDER_UNIT, SERVE_UNIT, ...agents.map(agentUnitName)].filter((u) => byId.get(u)?.unitFileState !== 'enabled');
    checks.push(notEnabled.length === 0
      ? { name: 'units enabled', status: 'pass', detail: 'the holder, the service and every agent start at boot (default.target)' }
      : { name: 'units enabled', status: 'warn', detail: `not enabled, so not started at boot: ${notEnabled.join(', ')}`, hint: 'mosaic-fleet install-systemd --enable' });
  }
  checks.push(await lingerCheck(env, input.linger));
  return checks;
}

async function readStates(units: string[], env: NodeJS.ProcessEnv): Promise<UnitState[]> {
  const r = await systemctlUser(['show', ...UNIT_PROPERTIES.map((p) => `--property=${p}`), '--', ...units], { env, timeoutMs: 10_000 });
  return r.code === 0 ? parseUnitStates(r.stdout) : [];
}

// Our unit must be what the manager loaded (not a copy elsewhere on its search path), and loaded as it is on disk.
function loadProblemsOf(s: UnitState, unitDir: string): string[] {
  if (s.loadState !== 'loaded') return [`${s.id} is ${s.loadState || 'unknown'} in the user manager`];
  const file = s.id.startsWith('mosaic-agent@') ? AGENT_TEMPLATE_UNIT : s.id;
  const problems: string[] = [];
  if (s.fragmentPath !== join(unitDir, file)) problems.push(`${s.id} is loaded from ${s.fragmentPath || '(nowhere)'}, not ${join(unitDir, file)}`);
  if (s.needDaemonReload) problems.push(`${s.id} changed on disk since the user manager read it (systemctl --user daemon-reload)`);
  return problems;
}

async function holderCheck(holder: UnitState | undefined, socket: string, env: NodeJS.ProcessEnv): Promise<Check> {
  const start = `systemctl --user start ${HOLDER_UNIT}`;
  if (!holder || holder.activeState !== 'active') {
    const how = holder ? `${holder.activeState}${holder.result && holder.result !== 'success' ? ` (Result: ${holder.result})` : ''}` : 'unknown';
    return { name: 'holder unit', status: 'fail', detail: `${HOLDER_UNIT} is ${how}: no supervised tmux server`, hint: start };
  }
  const owner = await tmuxServerOwner(socket, env);
  if (!owner.running) return { name: 'holder unit', status: 'fail', detail: `${HOLDER_UNIT} is active but no tmux server answers on socket ${socket}`, hint: `systemctl --user restart ${HOLDER_UNIT}` };
  if (!owner.inHolder) {
    return {
      name: 'holder unit',
      status: 'warn',
      detail: `${HOLDER_UNIT} is active, but the tmux server (pid ${owner.pid}) runs in ${owner.unit ?? owner.cgroup ?? 'an unknown cgroup'}, not in the holder's cgroup`,
      hint: `mosaic-fleet stop --all, then ${start}`,
    };
  }
  return { name: 'holder unit', status: 'pass', detail: `${HOLDER_UNIT} is active; the tmux server (pid ${owner.pid}) runs in its cgroup` };
}

// The service is optional for correctness (clients fall back to running commands themselves), so only its failure fails.
function serviceCheck(service: UnitState | undefined): Check {
  const name = 'service unit';
  if (service?.activeState === 'active') return { name, status: 'pass', detail: `${SERVE_UNIT} is active (pid ${service.mainPid})` };
  const status = `systemctl --user status ${SERVE_UNIT}`;
  if (service?.activeState === 'failed') {
    const code = service.result === 'exit-code' ? ` with exit code ${service.execMainStatus}${service.execMainStatus === 8 ? ': another mosaic-fleet serve serves this roster' : ''}` : ` (Result: ${service.result})`;
    return { name, status: 'fail', detail: `${SERVE_UNIT} failed${code}`, hint: `${status}; fix it, then systemctl --user restart ${SERVE_UNIT}` };
  }
  const how = service ? `${service.activeState}${service.subState === 'auto-restart' ? ' (restarting)' : ''}` : 'unknown';
  return { name, status: 'warn', detail: `${SERVE_UNIT} is ${how}: commands run in their own processes and queued messages wait for \`mosaic-fleet deliver\``, hint: `systemctl --user start ${SERVE_UNIT}` };
}

function agentsCheck(states: UnitState[]): Check {
  const failed = states.filter((s) => s.activeState === 'failed');
  const idle = states.filter((s) => s.activeState !== 'active' && s.activeState !== 'failed');
  const active = states.length - failed.length - idle.length;
  const summary = `${active} of ${states.length} active`;
  if (failed.length > 0) {
    return {
      name: 'agent units',
      status: 'fail',
      detail: `${summary}; ${failed.map((s) => `${s.id} failed (Result: ${s.result})`).join(', ')}`,
      hint: `systemctl --user status ${failed[0]!.id}; fix it, then systemctl --user restart ${failed.map((s) => s.id).join(' ')}`,
    };
  }
  if (idle.length > 0) return { name: 'agent units', status: 'warn', detail: `${summary}; not started: ${idle.map((s) => s.id).join(', ')}`, hint: 'mosaic-fleet start' };
  return { name: 'agent units', status: 'pass', detail: summary };
}

async function lingerCheck(env: NodeJS.ProcessEnv, options: LingerOptions = {}): Promise<Check> {
  const user = currentUser(env);
  const linger = await lingerState(user, { env, ...options });
  const hint = `loginctl enable-linger ${user}`;
  if (linger.state === 'on') return { name: 'lingering', status: 'pass', detail: linger.detail };
  return { name: 'lingering', status: linger.state === 'off' ? 'fail' : 'warn', detail: linger.detail, hint };
}
