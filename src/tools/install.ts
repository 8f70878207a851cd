// `mosaic-fleet install-tools`: write the drop-in agent-send.sh / send-message.sh helpers, idempotently.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { expandPath, mosaicHome } from '../roster/paths.js';
import { applyChanges, planWrite, type FileStatus } from '../systemd/files.js';
import { TOOLS_MARKER, renderTools } from './render.js';

/** A foreign script we replace (the old bash helper) is kept once under this suffix. */
export const BACKUP_SUFFIX = '.pre-mosaic-fleet';

export interface InstallToolsOptions {
  /** --dir; default $MOSAIC_HOME/tools/tmux. */
  dir?: string;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface ToolFileReport {
  path: string;
  status: FileStatus;
  /** The file there was not written by us (the old helper); it is replaced. */
  foreign?: boolean;
  /** Where that file was saved first. */
  backup?: string;
}

export interface InstallToolsReport {
  dir: string;
  dryRun: boolean;
  nodePath: string;
  agentCliPath: string;
  files: ToolFileReport[];
}

export function defaultToolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(mosaicHome(env), 'tools', 'tmux');
}

export function installTools(options: InstallToolsOptions = {}): InstallToolsReport {
  const env = options.env ?? process.env;
  const dir = options.dir ? expandPath(options.dir, env) : defaultToolsDir(env);
  const nodePath = process.execPath;
  const agentCliPath = builtAgentCli();
  const changes = renderTools({ nodePath, agentCliPath, dir }).files.map((file) => planWrite(file, { marker: TOOLS_MARKER, backupSuffix: BACKUP_SUFFIX }));
  if (!options.dryRun) applyChanges(changes);
  return {
    dir,
    dryRun: Boolean(options.dryRun),
    nodePath,
    agentCliPath,
    files: changes.map((c) => ({
      path: c.path,
      status: c.status,
      ...(c.foreign ? { foreign: true } : {}),
      ...(c.backup ? { backup: c.backup } : {}),
    })),
  };
}

function builtAgentCli(): string {
  const path = join(packageRoot(), 'dist', 'cli', 'agent-bin.js');
  if (!existsSync(path)) throw new FleetError('INTERNAL', `the built CLI is missing: ${path}`, { hint: 'run `npm run build` in the mosaic-fleet package' });
  return path;
}
