// Where the roster lives and how paths written in it become absolute (src/roster/locate.cts), with relative paths
// taken from the command's working directory: the client's, when the fleet service runs the command.
import { commandCwd } from '../invocation.js';
import * as locate from './locate.cjs';

export { homeDir, mosaicHome, rosterSource, ROSTER_ENV, MOSAIC_HOME_ENV, type RosterPathOptions } from './locate.cjs';

/** Expand a leading `~`, and `$HOME` / `${HOME}` anywhere, then make the path absolute against `baseDir`. */
export function expandPath(path: string, env: NodeJS.ProcessEnv = process.env, baseDir = commandCwd()): string {
  return locate.expandPath(path, env, baseDir);
}

/** The roster file: --roster, then $MOSAIC_FLEET_ROSTER, then $MOSAIC_HOME/fleet/roster.yaml. */
export function resolveRosterPath(options: locate.RosterPathOptions = {}): string {
  return locate.resolveRosterPath({ ...options, baseDir: options.baseDir ?? commandCwd() });
}
