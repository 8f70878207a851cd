// What a soak run will do, decided up front from the seed (pure): agents, messages, and which of them meet a fault.
import type { Layout } from './options.js';
import { sampleIndices, seededRng, type Rng } from './random.js';

/** How the REPL treats an Enter soon after a paste: drops it (150 ms window), ignores the first one, or types a newline. */
export type EnterPolicy = 'swallow' | 'ignore-first' | 'newline';

export interface AgentPlan {
  name: string;
  layout: Layout;
  busyMs: number;
  swallowMs: number;
  enterPolicy: EnterPolicy;
  /** Grey text drawn in the empty input area (never typed text), or null. */
  placeholder: string | null;
}

/** Where a sender is SIGKILLed: after its paste, after its first Enter, after the REPL logged the submission. */
export type KillPoint = 'paste' | 'enter' | 'submit';

export interface MessagePlan {
  index: number;
  token: string;
  agent: string;
  body: string;
  /** Sent with --queue (a busy, dead or stopped target leaves it pending for `mosaic-fleet deliver`). */
  queue: boolean;
  kill: KillPoint | null;
  /** Restart the target agent this long after the send started (a restart racing a send). */
  restartAfterMs: number | null;
  /** For a kill whose sim logs no record to watch for: kill this long after the sender started. */
  killDelayMs: number | null;
}

/** An agent is stopped, messages are queued to it, it is started again, and a deliver pass runs. */
export interface StopQueueEpisode {
  kind: 'stop-queue';
  /** Starts when regular dispatch reaches this message index. */
  at: number;
  agent: string;
  stoppedMs: number;
  messages: MessagePlan[];
}

/** A person types into an agent's input box; sends to it meanwhile must be `held`; then the person clears it. */
export interface PersonDraftEpisode {
  kind: 'person-draft';
  at: number;
  agent: string;
  draft: string;
  messages: MessagePlan[];
}

/** The agent's REPL stops reading input and drawing (SIGUSR1) while sends go on, then resumes (SIGUSR2). */
export interface WedgeEpisode {
  kind: 'wedge';
  at: number;
  agent: string;
  wedgeMs: number;
  messages: MessagePlan[];
}

export type Episode = StopQueueEpisode | PersonDraftEpisode | WedgeEpisode;

export interface SoakPlan {
  runId: string;
  agents: AgentPlan[];
  regular: MessagePlan[];
  episodes: Episode[];
}

export interface PlanInput {
  seed: number;
  messages: number;
  agents: number;
  layouts: readonly Layout[];
  faults: boolean;
  /** Placeholders, Enter policies and wedges (a sim that has them). */
  mixed?: boolean;
}

/** Busy times given to agents round-robin: 0 answers at once, the others queue messages sent meanwhile. */
export const BUSY_CYCLE_MS = [0, 400, 1500] as const;
export const SWALLOW_MS = 150;
/** Enter policies given round-robin with --mixed (like Claude Code, Claude Code 2.1.332, Gemini CLI under tmux). */
export const ENTER_POLICY_CYCLE: readonly EnterPolicy[] = ['swallow', 'ignore-first', 'swallow', 'newline'];
export const PLACEHOLDER_TEXT = 'Try "review the patch"';
export const STOP_QUEUE_MESSAGES = 3;
export const PERSON_DRAFT_MESSAGES = 2;

const WORDS = ['review', 'the', 'patch', 'for', 'issue', 'build', 'is', 'green', 'please', 'rebase', 'on', 'main', 'tests', 'fail', 'in', 'ledger', 'check', 'status', 'of', 'deploy', 'ok', 'next', 'task', 'merge', 'after', 'lunch'];

export function agentName(i: number): string {
  return `sk${String(i).padStart(2, '0')}`;
}

export function tokenFor(runId: string, index: number): string {
  return `sk${runId}n${index}z`;
}

/** Every token of this run in a text, as message indices (in order of appearance). */
export function tokensIn(runId: string, text: string): number[] {
  return [...text.matchAll(new RegExp(`sk${runId}n(\\d+)z`, 'g'))].map((m) => Number(m[1]));
}

export function personDraftText(runId: string, k: number): string {
  return `person typing pd${runId}n${k}z`;
}

export function buildPlan(input: PlanInput): SoakPlan {
  const rng = seededRng(input.seed);
  const runId = input.seed.toString(36);
  const agents: AgentPlan[] = Array.from({ length: input.agents }, (_, i) => ({
    name: agentName(i),
    layout: input.layouts[i % input.layouts.length]!,
    busyMs: BUSY_CYCLE_MS[i % BUSY_CYCLE_MS.length]!,
    swallowMs: SWALLOW_MS,
    enterPolicy: input.mixed ? ENTER_POLICY_CYCLE[Math.floor(i / 2) % ENTER_POLICY_CYCLE.length]! : 'swallow',
    placeholder: input.mixed && i % 4 === 1 ? PLACEHOLDER_TEXT : null,
  }));
  const names = agents.map((a) => a.name);
  const counts = faultCounts(input.messages, input.faults, input.mixed ?? false);
  const episodeMessages = counts.stopQueue * STOP_QUEUE_MESSAGES + counts.personDraft * PERSON_DRAFT_MESSAGES;
  const regularCount = input.messages - episodeMessages;
  let next = 0;
  const message = (agent: string, queue: boolean): MessagePlan => {
    const index = next++;
    return { index, token: tokenFor(runId, index), agent, body: bodyFor(rng, tokenFor(runId, index)), queue, kill: null, restartAfterMs: null, killDelayMs: null };
  };
  const regular = Array.from({ length: regularCount }, () => message(rng.pick(names), rng.chance(0.1)));
  assignFaults(rng, regular, counts);
  const starts = sampleIndices(rng, regularCount, counts.stopQueue + counts.personDraft + counts.wedges);
  const kinds = shuffled(rng, [...Array(counts.stopQueue).fill('stop-queue'), ...Array(counts.personDraft).fill('person-draft'), ...Array(counts.wedges).fill('wedge')] as Episode['kind'][]);
  const episodes: Episode[] = starts.map((at, k) => {
    // A wedge hits the agent the next regular send goes to, so a send is in flight while the REPL is stopped.
    if (kinds[k] === 'wedge') return { kind: 'wedge', at, agent: regular[at]!.agent, wedgeMs: rng.int(2000, 5000), messages: [] };
    const agent = rng.pick(names);
    if (kinds[k] === 'stop-queue') {
      return { kind: 'stop-queue', at, agent, stoppedMs: rng.int(1500, 4000), messages: Array.from({ length: STOP_QUEUE_MESSAGES }, () => message(agent, true)) };
    }
    return { kind: 'person-draft', at, agent, draft: personDraftText(runId, k), messages: Array.from({ length: PERSON_DRAFT_MESSAGES }, () => message(agent, false)) };
  });
  return { runId, agents, regular, episodes };
}

export interface FaultCounts {
  restarts: number;
  killsPerPoint: number;
  stopQueue: number;
  personDraft: number;
  wedges: number;
}

/** Faults scale with the run (about 1 restart per 150 messages, a kill of each kind per 150, an episode of each per 250). */
export function faultCounts(messages: number, faults: boolean, mixed = false): FaultCounts {
  if (!faults) return { restarts: 0, killsPerPoint: 0, stopQueue: 0, personDraft: 0, wedges: 0 };
  const scaled = (per: number, min: number) => Math.max(min, Math.round(messages / per));
  const counts = { restarts: scaled(150, 2), killsPerPoint: scaled(150, 1), stopQueue: scaled(250, 1), personDraft: scaled(250, 1), wedges: mixed ? scaled(250, 1) : 0 };
  // A tiny run still leaves most messages unfaulted.
  while (counts.stopQueue * STOP_QUEUE_MESSAGES + counts.personDraft * PERSON_DRAFT_MESSAGES > messages / 3 && (counts.stopQueue > 0 || counts.personDraft > 0)) {
    if (counts.stopQueue >= counts.personDraft) counts.stopQueue--;
    else counts.personDraft--;
  }
  const perMessage = Math.max(0, Math.floor(messages / 4));
  counts.restarts = Math.min(counts.restarts, perMessage);
  counts.killsPerPoint = Math.min(counts.killsPerPoint, Math.floor(perMessage / 3));
  counts.wedges = Math.min(counts.wedges, perMessage);
  return counts;
}

function assignFaults(rng: Rng, regular: MessagePlan[], counts: FaultCounts): void {
  const taken = new Set<number>();
  const take = (n: number): MessagePlan[] => {
    const picked = sampleIndices(rng, regular.length, n, taken);
    for (const i of picked) taken.add(i);
    return picked.map((i) => regular[i]!);
  };
  for (const m of take(counts.restarts)) m.restartAfterMs = rng.int(50, 600);
  for (const point of ['paste', 'enter', 'submit'] as const) {
    for (const m of take(counts.killsPerPoint)) {
      m.kill = point;
      m.killDelayMs = rng.int(150, 700);
      // A killed sender's message is an immediate send, so its fate is decided by the kill, not by a queue.
      m.queue = false;
    }
  }
}

function bodyFor(rng: Rng, token: string): string {
  const words = (n: number) => Array.from({ length: n }, () => rng.pick(WORDS)).join(' ');
  const first = `${token} ${words(rng.int(3, 12))}`;
  if (rng.chance(0.15)) return `${first}\n${words(rng.int(2, 8))}`;
  if (rng.chance(0.05)) return `${first} ${words(rng.int(40, 60))}`;
  return first;
}

function shuffled<T>(rng: Rng, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
