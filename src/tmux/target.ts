import { FleetError } from '../errors.js';
import type { PaneInfo } from './format.js';

// Targets are resolved here, once, by string equality against one `list-panes -a` listing; callers then use the
// pane id (%N). tmux itself would prefix-match or fnmatch a bare name (`agent` reaching `agent0`).

export interface ParsedTarget {
  kind: 'pane-id' | 'session';
  paneId?: string;
  session?: string;
  window?: string;
  pane?: string;
}

/** Split a user target: `%N`, `=name`, `name`, `name:window`, `name:window.pane`, `=name:window.pane`. */
export function parseTarget(target: string): ParsedTarget {
  if (/^%\d+$/.test(target)) return { kind: 'pane-id', paneId: target };
  const exact = target.startsWith('=') ? target.slice(1) : target;
  const colon = exact.indexOf(':');
  if (colon === -1) return { kind: 'session', session: exact };
  const session = exact.slice(0, colon);
  const rest = exact.slice(colon + 1);
  // `session:.%N` and `session:%N` name a pane id inside the session.
  const idMatch = /^\.?(%\d+)$/.exec(rest);
  if (idMatch) return { kind: 'session', session, pane: idMatch[1] };
  const dot = /^(.*)\.(\d+)$/.exec(rest);
  if (dot) return { kind: 'session', session, window: dot[1], pane: dot[2] };
  return { kind: 'session', session, window: rest };
}

/** Pick the pane a target means, by exact comparison only. Throws TARGET_NOT_FOUND with the names that do exist. */
export function resolvePane(panes: PaneInfo[], target: string, where: string): PaneInfo {
  const t = parseTarget(target);
  if (t.session === '' && t.kind === 'session') {
    throw new FleetError('USAGE', `empty target '${target}'`, { hint: 'give a session name, name:window.pane, or a pane id %N' });
  }
  const found = t.kind === 'pane-id' ? panes.find((p) => p.paneId === t.paneId) : pickInSession(panes, t);
  if (found) return found;
  const sessions = [...new Set(panes.map((p) => p.sessionName))].sort();
  const near = sessions.filter((s) => t.session !== undefined && (s.startsWith(t.session) || t.session.startsWith(s)));
  throw new FleetError('TARGET_NOT_FOUND', `no ${t.kind === 'pane-id' ? 'pane' : 'session'} '${target}' on ${where}`, {
    hint:
      near.length > 0
        ? `names are matched exactly; did you mean ${near.map((s) => `'${s}'`).join(', ')}?`
        : sessions.length > 0
          ? `sessions there: ${sessions.slice(0, 12).join(', ')}${sessions.length > 12 ? ', …' : ''}`
          : 'that server has no sessions: is it the right socket (-L NAME)? a fleet starts with `mosaic-fleet start`',
  });
}

function pickInSession(panes: PaneInfo[], t: ParsedTarget): PaneInfo | undefined {
  const inSession = panes.filter((p) => p.sessionName === t.session);
  if (inSession.length === 0) return undefined;
  if (t.pane?.startsWith('%')) return inSession.find((p) => p.paneId === t.pane);
  let windowPanes: PaneInfo[];
  if (t.window === undefined || t.window === '') {
    windowPanes = inSession.filter((p) => p.windowActive);
  } else if (/^\d+$/.test(t.window)) {
    const index = Number(t.window);
    windowPanes = inSession.filter((p) => p.windowIndex === index);
  } else {
    windowPanes = inSession.filter((p) => p.windowName === t.window);
  }
  if (t.pane === undefined) return windowPanes.find((p) => p.paneActive) ?? windowPanes[0];
  const paneIndex = Number(t.pane);
  return windowPanes.find((p) => p.paneIndex === paneIndex);
}
