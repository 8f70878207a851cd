// Starter rosters for `mosaic-fleet init --profile <name>`; every one validates on any machine as written.
import { Document, isMap, isNode, isScalar, isSeq } from 'yaml';
import { UsageError } from '../errors.js';
import type { AgentClass, RosterInput } from './schema.js';

export const PROFILES = ['minimal', 'demo', 'usc'] as const;
export type ProfileName = (typeof PROFILES)[number];

export const PROFILE_DESCRIPTIONS: Record<ProfileName, string> = {
  minimal: 'a small software factory: one orchestrator, two implementers, three reviewers',
  demo: 'three built-in sim agents that run anywhere, no AI CLI or account needed',
  usc: 'the 13-slot USC-style factory on claude and pi (an example to adapt, not a default)',
};

// The first message each class receives; placeholders are filled by renderKickstart.
export const CLASS_KICKSTARTS: Record<AgentClass, string> = {
  orchestrator:
    'You are {{name}}, the orchestrator of this mosaic-fleet on {{host}} (tmux socket {{socket}}). Plan the work, hand tasks to the other agents by name, and collect their reports; delegate code changes instead of making them. Reply READY when you have read this.',
  implementer:
    'You are {{name}}, an implementer in this mosaic-fleet, working in {{working_directory}}. Wait for a task from the orchestrator, implement it with tests, and report back with a short summary of what changed. Reply READY.',
  reviewer:
    'You are {{name}}, a code reviewer in this mosaic-fleet. Review the changes you are sent for correctness, clarity and test coverage, and report findings ranked by severity. Reply READY.',
  security_reviewer:
    'You are {{name}}, a security reviewer in this mosaic-fleet. Review the changes you are sent for injection, secrets, unsafe input handling and privilege problems, and report findings ranked by severity. Reply READY.',
  final_reviewer:
    'You are {{name}}, the final adversarial reviewer of this mosaic-fleet. Before anything ships, try to break it: question assumptions, hunt edge cases, and say plainly whether it is ready. Reply READY.',
  enhancer:
    'You are {{name}}, the architecture and enhancement lane of this mosaic-fleet, working in {{working_directory}}. Look for structural improvements across tasks and propose them to the orchestrator. Reply READY.',
  canary:
    'You are {{name}}, a canary agent that proves this mosaic-fleet works. Answer every message with one short line. Reply READY.',
};

interface Slot {
  name: string;
  runtime: string;
  class: AgentClass;
  model_hint?: string;
  persistent_persona?: boolean | 'semi';
  reset_between_tasks?: boolean;
}

const OPUS = 'Claude Opus';
const PI_GPT = 'Pi GPT-5.5';

const MINIMAL_SLOTS: Slot[] = [
  { name: 'mos-claude', runtime: 'claude', class: 'orchestrator', model_hint: OPUS, persistent_persona: true },
  { name: 'coder0', runtime: 'claude', class: 'implementer', model_hint: OPUS, reset_between_tasks: true },
  { name: 'coder1', runtime: 'claude', class: 'implementer', model_hint: OPUS, reset_between_tasks: true },
  { name: 'rev0', runtime: 'claude', class: 'reviewer', model_hint: OPUS, reset_between_tasks: true },
  { name: 'secrev0', runtime: 'claude', class: 'security_reviewer', model_hint: OPUS, reset_between_tasks: true },
  { name: 'ultron', runtime: 'claude', class: 'final_reviewer', model_hint: OPUS, persistent_persona: 'semi' },
];

const DEMO_SLOTS: Slot[] = [
  { name: 'alpha', runtime: 'sim', class: 'orchestrator', persistent_persona: true },
  { name: 'bravo', runtime: 'sim', class: 'implementer', reset_between_tasks: true },
  { name: 'charlie', runtime: 'sim', class: 'reviewer', reset_between_tasks: true },
];

// Mirrors the USC-style example in the fleet plan: claude implementers plus pi implementers and reviewers.
const USC_SLOTS: Slot[] = [
  { name: 'mos-claude', runtime: 'claude', class: 'orchestrator', model_hint: OPUS, persistent_persona: true },
  ...(['coder0', 'coder1', 'coder2', 'coder3', 'coder4', 'coder5'] as const).map(
    (name): Slot =>
      name === 'coder2' || name === 'coder3'
        ? { name, runtime: 'pi', class: 'implementer', model_hint: PI_GPT, reset_between_tasks: true }
        : { name, runtime: 'claude', class: 'implementer', model_hint: OPUS, reset_between_tasks: true },
  ),
  { name: 'enhance', runtime: 'claude', class: 'enhancer', model_hint: OPUS, persistent_persona: 'semi' },
  { name: 'rev0', runtime: 'pi', class: 'reviewer', model_hint: PI_GPT, reset_between_tasks: true },
  { name: 'rev1', runtime: 'pi', class: 'reviewer', model_hint: PI_GPT, reset_between_tasks: true },
  { name: 'secrev0', runtime: 'pi', class: 'security_reviewer', model_hint: PI_GPT, reset_between_tasks: true },
  { name: 'secrev1', runtime: 'pi', class: 'security_reviewer', model_hint: PI_GPT, reset_between_tasks: true },
  { name: 'ultron', runtime: 'pi', class: 'final_reviewer', model_hint: PI_GPT, persistent_persona: 'semi' },
];

const SLOTS: Record<ProfileName, Slot[]> = { minimal: MINIMAL_SLOTS, demo: DEMO_SLOTS, usc: USC_SLOTS };

export function isProfileName(name: string): name is ProfileName {
  return (PROFILES as readonly string[]).includes(name);
}

export interface RenderProfileOptions {
  /** Path or URL of roster.schema.json, written into the yaml-language-server comment. */
  schemaPath: string;
}

/** The YAML text of a starter roster, headed by a yaml-language-server schema comment. */
export function renderProfile(name: string, { schemaPath }: RenderProfileOptions): string {
  if (!isProfileName(name)) {
    throw new UsageError(`unknown profile '${name}'`, `use one of ${PROFILES.join(', ')}`);
  }
  const doc = new Document(profileRoster(name));
  doc.commentBefore = [
    ` yaml-language-server: $schema=${schemaPath}`,
    ` mosaic-fleet roster, profile "${name}": ${PROFILE_DESCRIPTIONS[name]}.`,
    ' Edit freely: agent names are tmux session names; working_directory accepts ~ and $HOME.',
  ].join('\n');
  annotate(doc);
  return doc.toString({ lineWidth: 0 });
}

/** The profile as a roster value (what the YAML text parses to). */
export function profileRoster(name: ProfileName): RosterInput {
  const demo = name === 'demo';
  return {
    version: 1,
    transport: 'tmux',
    // The demo gets its own socket so trying it never touches a real fleet.
    tmux: { socket_name: demo ? 'mosaic-fleet-demo' : 'mosaic-factory', holder_session: '_holder' },
    defaults: { working_directory: '~', runtime: demo ? 'sim' : 'claude', launcher: 'direct', ready_timeout_seconds: demo ? 15 : 60 },
    agents: SLOTS[name].map((slot) => ({ ...slot, kickstart_template: CLASS_KICKSTARTS[slot.class] })),
  };
}

// Comments that help a first-time editor; blank lines between agents keep the list scannable.
function annotate(doc: Document): void {
  const dir = doc.getIn(['defaults', 'working_directory'], true);
  if (isScalar(dir)) dir.comment = ' where agents start, e.g. ~/src';
  const defaultsKey = isMap(doc.contents) ? doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'defaults')?.key : undefined;
  if (isScalar(defaultsKey)) defaultsKey.commentBefore = ' every agent inherits these unless it sets its own';
  const agents = doc.get('agents', true);
  if (!isSeq(agents)) return;
  for (const item of agents.items.slice(1)) if (isNode(item)) item.spaceBefore = true;
}
