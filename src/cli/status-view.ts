import { pc } from './colors.js';
import type { Io } from './io.js';
import { colorState, formatDuration, table } from './render.js';
import type { FleetStatus, StatusRow } from '../core/fleet.js';

export function renderStatus(io: Io, status: FleetStatus): void {
  io.out(
    `socket ${status.socketPath ?? status.socket}  server pid ${status.serverPid ?? '-'}  holder ${status.holder === 'running' ? pc.green(status.holderSession) : pc.red(`${status.holderSession} ${status.holder}`)}` +
      `  supervisor ${status.supervisor}` +
      (status.rosterPath ? `  roster ${status.rosterPath}` : '  (no roster)'),
  );
  for (const h of status.hosts.filter((x) => x.host !== 'local')) {
    io.out(`host ${h.host}: ${h.reachable ? `socket ${h.socketPath ?? '-'}  server pid ${h.serverPid ?? '-'}  holder ${h.holder}` : pc.red(`unreachable (${h.error ?? 'no answer'})`)}`);
  }
  if (status.agents.length === 0) {
    io.out('no agents');
    return;
  }
  io.out(
    table([
      ['AGENT', 'HOST', 'RUNTIME', 'CLASS', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'LAST EXIT', 'LAUNCHER'],
      ...status.agents.map((a) => [
        a.inRoster ? a.name : `${a.name} ${pc.dim('(not in roster)')}`,
        a.host,
        a.runtime,
        a.class ?? '-',
        a.state === 'dead' ? colorState(a.exitSignal ? `dead (signal ${a.exitSignal})` : a.exitStatus !== null ? `dead (exit ${a.exitStatus})` : 'dead') : colorState(a.state),
        a.pid === null ? '-' : String(a.pid),
        formatDuration(a.uptimeSeconds),
        a.givenUp ? pc.red(`${a.restarts} gave up`) : a.restarts === 0 ? '-' : String(a.restarts),
        lastExitText(a),
        a.launcher,
      ]),
    ]),
  );
  for (const a of status.agents.filter((x) => x.blocked)) io.out(pc.yellow(`${a.name} is blocked: ${a.blocked}`));
}


/** `exit 3 4m12s ago`, `signal 9`, or '-': the REPL's last exit, compact. */
function lastExitText(a: Pick<StatusRow, 'lastExit'>, now = Date.now()): string {
  const last = a.lastExit;
  if (last === null) return '-';
  const how = last.signal ? `signal ${last.signal}` : last.status !== null ? `exit ${last.status}` : 'exited';
  return last.at === null ? how : `${how} ${formatDuration(Math.max(0, Math.round((now - Date.parse(last.at)) / 1000)))} ago`;
}
