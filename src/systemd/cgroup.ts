// Which systemd unit owns the fleet's tmux server: the holder, some other unit (the cgroup trap), or none.
import { readFileSync } from 'node:fs';
import { run } from '../exec/run.js';
import { HOLDER_UNIT } from './render.js';

export interface ServerOwner {
  running: boolean;
  pid?: number;
  /** The server's cgroup path (cgroup v2 line, else the name=systemd v1 line); undefined when unreadable. */
  cgroup?: string;
  /** The .service or .scope unit the server belongs to, when its cgroup names one. */
  unit?: string;
  /** True when that unit is mosaic-tmux-holder.service. */
  inHolder: boolean;
}

/** The systemd cgroup path in a /proc/<pid>/cgroup text. */
export function systemdCgroup(text: string): string | undefined {
  const lines = text.split('\n');
  const v1 = lines.find((l) => l.includes(':name=systemd:'));
  const v2 = lines.find((l) => l.startsWith('0::'));
  return (v1 ?? v2)?.replace(/^[^:]*:[^:]*:/u, '');
}

/** The innermost unit a cgroup path names (e.g. mosaic-agent@coder0.service, tmux-spawn-1.scope). */
export function unitOfCgroup(cgroup: string): string | undefined {
  return cgroup
    .split('/')
    .reverse()
    .find((part) => /\.(service|scope)$/u.test(part));
}

/** Ask the server on `socket` for its pid and read which unit's cgroup it lives in. */
export async function tmuxServerOwner(socket: string, env: NodeJS.ProcessEnv = process.env): Promise<ServerOwner> {
  const r = await run(['tmux', '-L', socket, 'display-message', '-p', '#{pid}'], { timeoutMs: 3_000, env });
  const pid = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(pid) || pid <= 0) return { running: false, inHolder: false };
  let cgroup: string | undefined;
  try {
    cgroup = systemdCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  } catch {
    cgroup = undefined; // not Linux, or the server just exited
  }
  const unit = cgroup === undefined ? undefined : unitOfCgroup(cgroup);
  return { running: true, pid, ...(cgroup !== undefined ? { cgroup } : {}), ...(unit ? { unit } : {}), inHolder: unit === HOLDER_UNIT };
}
