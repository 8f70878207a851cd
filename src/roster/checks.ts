// Checks the schema cannot express: cross-references, uniqueness and the filesystem.
// They read the raw YAML value defensively, so they still run (and report) when the schema found other problems.
import { statSync } from 'node:fs';
import type { Finding } from './describe.js';
import { didYouMeanSuffix } from './names.js';
import { expandPath } from './paths.js';
import type { RosterSource, ValuePath } from './positions.js';
import { BUILTIN_RUNTIMES, DEFAULT_HOLDER_SESSION, LOCAL_HOST, isBuiltinRuntime } from './constants.js';

export interface CheckContext {
  source: RosterSource;
  checkDirectories: boolean;
  env: NodeJS.ProcessEnv;
  /** Relative working directories are taken from here (the roster file's directory). */
  baseDir: string;
}

type Raw = Record<string, unknown>;

/** Every cross-reference and filesystem problem in `raw`. */
export function checkRoster(raw: unknown, ctx: CheckContext): Finding[] {
  const root = asRecord(raw);
  if (root === undefined) return [];
  const agents = indexedAgents(root);
  return [
    ...checkDuplicateNames(agents, ctx.source),
    ...checkHolderCollision(agents, root),
    ...checkRuntimeDefinitions(root),
    ...checkRuntimeReferences(agents, root),
    ...checkHostKeys(root),
    ...checkHostReferences(agents, root),
    ...(ctx.checkDirectories ? checkWorkingDirectories(agents, root, ctx) : []),
  ];
}

interface IndexedAgent {
  index: number;
  agent: Raw;
}

function indexedAgents(root: Raw): IndexedAgent[] {
  const list = Array.isArray(root.agents) ? root.agents : [];
  return list.flatMap((item, index) => {
    const agent = asRecord(item);
    return agent === undefined ? [] : [{ index, agent }];
  });
}

function checkDuplicateNames(agents: IndexedAgent[], source: RosterSource): Finding[] {
  const first = new Map<string, number>();
  const findings: Finding[] = [];
  for (const { index, agent } of agents) {
    if (typeof agent.name !== 'string') continue;
    const earlier = first.get(agent.name);
    if (earlier === undefined) {
      first.set(agent.name, index);
      continue;
    }
    const line = source.valuePosition(['agents', earlier, 'name']).line;
    findings.push(at(['agents', index, 'name'], `duplicate agent name '${agent.name}' (first used on line ${line}); give each agent its own name`));
  }
  return findings;
}

function checkHolderCollision(agents: IndexedAgent[], root: Raw): Finding[] {
  const holderValue = asRecord(root.tmux)?.holder_session;
  const holder = typeof holderValue === 'string' ? holderValue : DEFAULT_HOLDER_SESSION;
  return agents
    .filter(({ agent }) => agent.name === holder)
    .map(({ index }) =>
      at(['agents', index, 'name'], `'${holder}' is the tmux holder session; rename the agent or change tmux.holder_session`),
    );
}

function checkRuntimeDefinitions(root: Raw): Finding[] {
  const runtimes = asRecord(root.runtimes) ?? {};
  return Object.entries(runtimes).flatMap(([name, value]) => {
    const spec = asRecord(value);
    if (spec === undefined) return [];
    if (isBuiltinRuntime(name)) {
      return spec.base === undefined
        ? []
        : [at(['runtimes', name, 'base'], `base only applies to custom runtimes; '${name}' is builtin and reads its own screen`)];
    }
    if (spec.command !== undefined) return [];
    return [
      at(
        ['runtimes', name],
        `custom runtime '${name}'${didYouMeanSuffix(name, BUILTIN_RUNTIMES)} needs a command (a string or an argv list)`,
      ),
    ];
  });
}

function checkRuntimeReferences(agents: IndexedAgent[], root: Raw): Finding[] {
  const known = [...BUILTIN_RUNTIMES, ...Object.keys(asRecord(root.runtimes) ?? {}).filter((k) => !isBuiltinRuntime(k))];
  const references: Array<[ValuePath, unknown]> = [
    [['defaults', 'runtime'], asRecord(root.defaults)?.runtime],
    ...agents.map(({ index, agent }): [ValuePath, unknown] => [['agents', index, 'runtime'], agent.runtime]),
  ];
  return references
    .filter(([, name]) => typeof name === 'string' && name !== '' && !known.includes(name))
    .map(([path, name]) =>
      at(path, `unknown runtime '${String(name)}'${didYouMeanSuffix(String(name), known)}; use one of ${known.join(', ')}, or define it under runtimes:`),
    );
}

function checkHostKeys(root: Raw): Finding[] {
  const hosts = asRecord(root.hosts) ?? {};
  return Object.hasOwn(hosts, LOCAL_HOST)
    ? [{ path: ['hosts', LOCAL_HOST], at: 'key', message: `'${LOCAL_HOST}' means this machine and cannot be a remote host; rename it` }]
    : [];
}

function checkHostReferences(agents: IndexedAgent[], root: Raw): Finding[] {
  const hosts = Object.keys(asRecord(root.hosts) ?? {});
  return agents
    .filter(({ agent }) => typeof agent.host === 'string' && agent.host !== '' && agent.host !== LOCAL_HOST && !hosts.includes(agent.host))
    .map(({ index, agent }) => {
      const name = String(agent.host);
      const choices = hosts.length === 0 ? 'define it under hosts:' : `use '${LOCAL_HOST}' or one of ${hosts.join(', ')}`;
      return at(['agents', index, 'host'], `unknown host '${name}'${didYouMeanSuffix(name, [LOCAL_HOST, ...hosts])}; ${choices}`);
    });
}

// Only local agents: a remote agent's directory lives on its host, which is checked when it starts.
function checkWorkingDirectories(agents: IndexedAgent[], root: Raw, ctx: CheckContext): Finding[] {
  const defaultDir = asRecord(root.defaults)?.working_directory;
  const reported = new Set<string>();
  const findings: Finding[] = [];
  for (const { index, agent } of agents) {
    if (agent.host !== undefined && agent.host !== LOCAL_HOST) continue;
    const own = agent.working_directory !== undefined;
    const dir = own ? agent.working_directory : (defaultDir ?? '~');
    if (typeof dir !== 'string' || dir === '') continue; // the schema reports wrong types
    const path = directoryValuePath(index, own, defaultDir !== undefined);
    const key = path.join('.');
    if (reported.has(key)) continue;
    const problem = directoryProblem(expandPath(dir, ctx.env, ctx.baseDir));
    if (problem === undefined) continue;
    reported.add(key);
    findings.push(at(path, `${problem}; create it or change working_directory`));
  }
  return findings;
}

// Report where the directory is written: the agent's own key, else the shared default, else the agent itself.
function directoryValuePath(index: number, own: boolean, hasDefault: boolean): ValuePath {
  if (own) return ['agents', index, 'working_directory'];
  return hasDefault ? ['defaults', 'working_directory'] : ['agents', index];
}

function directoryProblem(absolute: string): string | undefined {
  try {
    return statSync(absolute).isDirectory() ? undefined : `working directory '${absolute}' is not a directory`;
  } catch {
    return `working directory '${absolute}' does not exist`;
  }
}

function at(path: ValuePath, message: string): Finding {
  return { path, at: 'value', message };
}

function asRecord(value: unknown): Raw | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined;
}
