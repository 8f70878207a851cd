import type { ResolvedAgent } from '../roster/resolve.js';
import type { AgentLaunch } from '../transport/types.js';
import { profileFor } from '../runtimes/registry.js';
import { buildPiSkillArgs } from '../runtimes/pi-skills.js';
import { wrapWithFiles } from '../runtimes/receipt-hook.js';
import { packageRoot } from '../paths.js';
import { homeDir, mosaicHome } from '../roster/paths.js';

export interface LaunchEnv {
  socket: string;
  rosterPath: string;
  env: NodeJS.ProcessEnv;
}

/** Forced fleet skills every Pi agent gets (found by name under the Mosaic skill roots). */
export const FORCED_PI_SKILLS = ['mosaic-tools'];

/** How an agent is launched: the roster's raw command, `mosaic yolo <runtime>`, or the runtime's own CLI. */
export function launchFor(agent: ResolvedAgent, where: LaunchEnv): AgentLaunch {
  const profile = profileFor(agent.baseRuntime);
  let argv: string[];
  let launcher: string;
  let profileEnv: Record<string, string> = {};
  if (agent.command) {
    argv = [...agent.command];
    launcher = 'command';
  } else if (agent.launcher === 'mosaic') {
    argv = ['mosaic', 'yolo', agent.runtime];
    launcher = 'mosaic yolo';
  } else {
    const spec = profile.launch({ agentName: agent.name, workingDirectory: agent.workingDirectory, packageRoot: packageRoot(), env: stringEnv(where.env) });
    argv = [...spec.argv];
    profileEnv = spec.env ?? {};
    launcher = 'direct';
    if (agent.baseRuntime === 'pi') {
      argv.push(
        ...buildPiSkillArgs({
          ...(agent.piSkillMode ? { mode: agent.piSkillMode } : {}),
          env: where.env,
          mosaicHome: mosaicHome(where.env),
          home: homeDir(where.env),
          cwd: agent.workingDirectory,
          forced: FORCED_PI_SKILLS,
        }),
      );
    }
  }
  const launch: AgentLaunch = {
    name: agent.name,
    host: agent.host,
    runtime: agent.runtime,
    profile: profile.name,
    launcher,
    argv,
    env: {
      ...profileEnv,
      ...profile.paneEnv,
      ...agent.env,
      // Lets an agent (and `mosaic-agent inbox`) know who it is and where its fleet lives.
      MOSAIC_AGENT_NAME: agent.name,
      MOSAIC_AGENT_RUNTIME: agent.runtime,
      MOSAIC_TMUX_SOCKET: where.socket,
      MOSAIC_FLEET_ROSTER: where.rosterPath,
    },
    workingDirectory: agent.workingDirectory,
    readyTimeoutMs: agent.readyTimeoutMs,
  };
  // Opt-in receipts: the runtime's own hook reports each prompt it takes (the screen stays the fallback).
  if (agent.deliveryReceipt === 'hook' && launcher === 'direct' && profile.receiptSetup) {
    launch.receipt = `${where.socket}-${agent.name}`.replace(/[^A-Za-z0-9_.-]/g, '_');
    const setup = profile.receiptSetup(launch.receipt);
    launch.argv = wrapWithFiles(setup.files ?? [], [...launch.argv, ...(setup.args ?? [])]);
    Object.assign(launch.env, setup.env ?? {});
    launch.env.MOSAIC_RECEIPT_NAME = launch.receipt;
  }
  return launch;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
