import { LOCAL_HOST } from './constants.js';
import { expandPath } from './paths.js';
import type { Roster } from './schema.js';

/** An agent on this machine: no host, or the local one. */
export function isLocalAgent(agent: { host?: string | undefined }): boolean {
  return agent.host === undefined || agent.host === LOCAL_HOST;
}

// Paths are resolved once here, against the roster file's directory, so later code never guesses a base.
export function absolutize(roster: Roster, env: NodeJS.ProcessEnv, baseDir: string): Roster {
  const agents = roster.agents.map((agent) => {
    if (!isLocalAgent(agent)) return agent; // a remote ~ belongs to the remote account
    const dir = agent.working_directory ?? roster.defaults.working_directory;
    return { ...agent, working_directory: expandPath(dir, env, baseDir) };
  });
  const hosts = Object.fromEntries(
    Object.entries(roster.hosts).map(([name, host]) => [
      name,
      host.identity_file === undefined ? host : { ...host, identity_file: expandPath(host.identity_file, env, baseDir) },
    ]),
  );
  return { ...roster, agents, hosts };
}
