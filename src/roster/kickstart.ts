// Kickstart prompts: the first message an agent receives, rendered from a {{placeholder}} template.
import { UsageError } from '../errors.js';

/** Placeholders every kickstart can use; `--var k=v` adds more. */
export const KICKSTART_PLACEHOLDERS = ['name', 'class', 'host', 'socket', 'working_directory', 'runtime'] as const;

/** Used when an agent has no kickstart_template. */
export const DEFAULT_KICKSTART_TEMPLATE =
  'You are {{name}}, the {{class}} agent of a mosaic-fleet on host {{host}} (tmux socket {{socket}}), ' +
  'running {{runtime}} in {{working_directory}}. Messages from other agents arrive with a preamble naming the sender. ' +
  'Reply with one short line when you are ready for a task.';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/gu;

/** Substitute {{key}} from `vars`; any placeholder without a value is a usage error naming it. */
export function renderKickstart(template: string, vars: Record<string, string>): string {
  const unknown = [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((key) => !Object.hasOwn(vars, key)))];
  if (unknown.length > 0) {
    const names = unknown.map((key) => `{{${key}}}`).join(', ');
    throw new UsageError(
      `kickstart template uses unknown placeholder${unknown.length > 1 ? 's' : ''} ${names}`,
      `known placeholders: ${Object.keys(vars).join(', ')}; pass --var ${unknown[0]}=VALUE to define one`,
    );
  }
  return template.replace(PLACEHOLDER, (_, key: string) => vars[key]!);
}

export interface KickstartAgent {
  name: string;
  class: string;
  host: string;
  runtime: string;
  workingDirectory: string;
}

/** The standard placeholder values for one agent, with `extra` (--var) on top. */
export function kickstartVars(agent: KickstartAgent, socket: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    name: agent.name,
    class: agent.class,
    host: agent.host,
    socket,
    working_directory: agent.workingDirectory,
    runtime: agent.runtime,
    ...extra,
  };
}

/** Parse repeated `--var key=value` flags. */
export function parseKickstartVars(pairs: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/su.exec(pair);
    if (match === null) throw new UsageError(`--var '${pair}' is not key=value`, 'write it as --var key=value, e.g. --var ticket=FLEET-12');
    vars[match[1]!] = match[2]!;
  }
  return vars;
}
