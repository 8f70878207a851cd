// The comparison: every message's reported verdict and ledger record against what the REPLs received.
// Pure: observations and ground truth in, per-message findings and run counts out. Categories (docs/soak.md):
//
//   exactly once      arrived once, on its target, with exactly the text we meant (preamble + body)
//   false success     reported submitted/queued (send verdict, or the ledger for queued/killed sends) but never arrived
//   false failure     reported failed/held/expired but it did arrive (a user would resend it: a duplicate in waiting)
//   merged            a submission that held its token also held another message's token or a person's draft
//   altered           it arrived (alone) with text other than preamble + body
//   duplicate         it arrived two or more times
//   wrong agent       it arrived on an agent other than its target
//   stuck pending     the ledger still says pending/sending after the final deliver passes
//   spurious held     `held` ("someone is typing") when no person draft was in that agent's box (a hold behind an
//                     unread paste of ours says so in its detail: counted apart, as honest)
//   pasted into draft a message sent while a person's draft was in the box arrived (it was pasted behind their text)
//   ledger mismatch   the ledger's final status or text disagrees with what the send reported (an unconfirmed or
//                     draft verdict the ledger settled later is no mismatch: it is then judged by the ledger)
//   bad output        a send (not killed) did not print exactly one JSON document
//   person draft sent a person's draft text was submitted by someone (only a person may submit it)
//   unconfirmed       honest "cannot tell" (exit 2): not a defect, split by whether it arrived
//   draft             the send left its text in the box and said so (exit 2): not a defect, split the same way
//   lock timeouts     sends that gave up waiting for the pane's lock (an honest failure, reported apart)
import type { MessagePlan } from './plan.js';
import { tokensIn } from './plan.js';
import type { Arrival } from './truth.js';
import { UNREAD_HELD } from '../delivery/deliver.js';

/** What one sender process produced. */
export interface SendResult {
  /** The JSON document's status when it printed an ok document. */
  verdict: string | null;
  /** The JSON error code when it printed an error document. */
  errorCode: string | null;
  exitCode: number | null;
  /** Printed exactly one parseable JSON document. */
  jsonOk: boolean;
  latencyMs: number | null;
  wallMs: number;
  id: string | null;
  /** The verdict's detail or the error message (what the send said it saw). */
  detail: string | null;
}

export interface LedgerView {
  id: string;
  status: string;
  text: string;
}

export interface Observation {
  plan: MessagePlan;
  expectedText: string;
  /** Sent while a person's draft was in the target's box. */
  expectHeld: boolean;
  /** The sender was SIGKILLed (its result is then null). */
  killed: boolean;
  result: SendResult | null;
  ledger: LedgerView | null;
  /** Faults on the same agent shortly before or during the send (context for a reader, not judged). */
  nearFaults?: string[];
}

export const DEFECTS = [
  'falseSuccess',
  'falseFailure',
  'merged',
  'altered',
  'duplicate',
  'wrongAgent',
  'stuckPending',
  'spuriousHeld',
  'pastedIntoDraft',
  'ledgerMismatch',
  'badOutput',
] as const;
export type Defect = (typeof DEFECTS)[number];

export interface Finding {
  index: number;
  agent: string;
  /** The verdict we judge: the send's final verdict, else the ledger's final status, else 'error'/'none'. */
  reported: string;
  arrivals: number;
  exactlyOnce: boolean;
  defects: Defect[];
  /** The first submitted text holding its token that is not exactly the text meant (to see what changed), or null. */
  arrivedAs: string | null;
}

export interface Counts {
  messages: number;
  exactlyOnce: number;
  defects: Record<Defect, number>;
  /** Person draft text submitted by anyone (per draft, not per message). */
  personDraftSent: number;
  /** Submissions holding none of our tokens and no person draft (nothing should ever submit those). */
  foreignSubmissions: number;
  heldAsExpected: number;
  /** Held because an earlier paste of ours to that agent had not been read yet (nothing pasted): honest, not lost by us. */
  heldBehindUnread: number;
  unconfirmed: { arrived: number; notArrived: number };
  draft: { arrived: number; notArrived: number };
  failed: { arrived: number; notArrived: number };
  lockTimeouts: number;
  killed: number;
  /** Killed before the ledger had a record: nothing was sent, nothing should arrive. */
  killedUnrecorded: number;
  verdicts: Record<string, number>;
}

const FINAL_VERDICTS = new Set(['submitted', 'queued', 'held', 'draft', 'failed', 'unconfirmed', 'expired']);
const SUCCESS = new Set(['submitted', 'queued']);
const FAILURE = new Set(['failed', 'held', 'expired']);
const OPEN = new Set(['pending', 'sending']);
/** Verdicts that leave the question open; the ledger may settle them later without contradicting the send. */
const UNSETTLED = new Set(['unconfirmed', 'draft']);

/** The status a user would be left believing: the send's final verdict, else what the ledger ended with. */
export function reportedStatus(o: Observation): string {
  const verdict = o.result?.verdict ?? null;
  // "Cannot tell" may be settled later (a deliver pass looks at the pane): then the ledger is what a user reads.
  if (verdict !== null && UNSETTLED.has(verdict) && o.ledger && FINAL_VERDICTS.has(o.ledger.status) && o.ledger.status !== verdict) return o.ledger.status;
  if (verdict !== null && FINAL_VERDICTS.has(verdict)) return verdict;
  if (o.ledger) return o.ledger.status;
  if (o.result?.errorCode) return 'error';
  return 'none';
}

export function classify(runId: string, observations: readonly Observation[], arrivals: readonly Arrival[], personDrafts: readonly string[]): { findings: Finding[]; counts: Counts } {
  const byToken = new Map<number, Arrival[]>();
  let foreign = 0;
  let personDraftSent = 0;
  for (const a of arrivals) {
    const tokens = tokensIn(runId, a.text);
    const drafts = personDrafts.filter((d) => a.text.includes(d)).length;
    personDraftSent += drafts;
    if (tokens.length === 0 && drafts === 0) foreign++;
    for (const t of new Set(tokens)) byToken.set(t, [...(byToken.get(t) ?? []), a]);
  }
  const findings = observations.map((o) => judge(runId, o, byToken.get(o.plan.index) ?? [], personDrafts));
  const counts = countFindings(observations, findings);
  counts.personDraftSent = personDraftSent;
  counts.foreignSubmissions = foreign;
  return { findings, counts };
}

function judge(runId: string, o: Observation, got: readonly Arrival[], personDrafts: readonly string[]): Finding {
  const reported = reportedStatus(o);
  const defects: Defect[] = [];
  const add = (d: Defect, when: boolean) => {
    if (when) defects.push(d);
  };
  const mergedIn = (a: Arrival) => tokensIn(runId, a.text).some((t) => t !== o.plan.index) || personDrafts.some((d) => a.text.includes(d));
  const merged = got.some(mergedIn);
  add('falseSuccess', SUCCESS.has(reported) && got.length === 0);
  add('falseFailure', FAILURE.has(reported) && !o.expectHeld && got.length > 0);
  add('merged', merged);
  add('altered', got.some((a) => !mergedIn(a) && a.text !== o.expectedText));
  add('duplicate', got.length >= 2);
  add('wrongAgent', got.some((a) => a.agent !== o.plan.agent || a.name !== o.plan.agent));
  add('stuckPending', o.ledger !== null && OPEN.has(o.ledger.status));
  add('spuriousHeld', reported === 'held' && !o.expectHeld && !heldBehindUnread(o));
  // A sender that died during the held wait leaves a crashed record that `deliver` finishes once the box is clear:
  // its arrival alone, with exactly its text, is that finish; one merged with the draft is still caught as altered.
  add('pastedIntoDraft', o.expectHeld && got.length > 0 && !(o.killed && got.every((a) => a.text === o.expectedText)));
  add('ledgerMismatch', ledgerDisagrees(o));
  add('badOutput', !o.killed && o.result !== null && !o.result.jsonOk);
  const exactlyOnce = got.length === 1 && got[0]!.agent === o.plan.agent && got[0]!.text === o.expectedText;
  const arrivedAs = got.find((a) => a.text !== o.expectedText)?.text ?? null;
  return { index: o.plan.index, agent: o.plan.agent, reported, arrivals: got.length, exactlyOnce, defects, arrivedAs };
}

/** The send said held because an earlier paste of ours to that agent was still unread (see deliver.ts). */
function heldBehindUnread(o: Observation): boolean {
  return o.result?.verdict === 'held' && (o.result.detail ?? '').startsWith(UNREAD_HELD);
}

/** An immediate send's final verdict must be what the ledger holds; any record's text must be what we sent. */
function ledgerDisagrees(o: Observation): boolean {
  if (!o.ledger) return false;
  if (o.ledger.text !== o.expectedText) return true;
  const verdict = o.result?.verdict ?? null;
  return verdict !== null && FINAL_VERDICTS.has(verdict) && !UNSETTLED.has(verdict) && verdict !== o.ledger.status;
}

function countFindings(observations: readonly Observation[], findings: readonly Finding[]): Counts {
  const counts: Counts = {
    messages: findings.length,
    exactlyOnce: 0,
    defects: Object.fromEntries(DEFECTS.map((d) => [d, 0])) as Record<Defect, number>,
    personDraftSent: 0,
    foreignSubmissions: 0,
    heldAsExpected: 0,
    heldBehindUnread: 0,
    unconfirmed: { arrived: 0, notArrived: 0 },
    draft: { arrived: 0, notArrived: 0 },
    failed: { arrived: 0, notArrived: 0 },
    lockTimeouts: 0,
    killed: 0,
    killedUnrecorded: 0,
    verdicts: {},
  };
  findings.forEach((f, i) => {
    const o = observations[i]!;
    if (f.exactlyOnce) counts.exactlyOnce++;
    for (const d of f.defects) counts.defects[d]++;
    counts.verdicts[f.reported] = (counts.verdicts[f.reported] ?? 0) + 1;
    const split = (bucket: { arrived: number; notArrived: number }) => (f.arrivals > 0 ? bucket.arrived++ : bucket.notArrived++);
    if (f.reported === 'held' && o.expectHeld) counts.heldAsExpected++;
    if (f.reported === 'held' && !o.expectHeld && heldBehindUnread(o)) counts.heldBehindUnread++;
    if (f.reported === 'unconfirmed') split(counts.unconfirmed);
    if (f.reported === 'draft') split(counts.draft);
    if (f.reported === 'failed' || f.reported === 'error') split(counts.failed);
    if (o.result?.errorCode === 'LOCK_TIMEOUT') counts.lockTimeouts++;
    if (o.killed) counts.killed++;
    if (o.killed && !o.ledger) counts.killedUnrecorded++;
  });
  return counts;
}

/** Nearest-rank percentile of a list of numbers (null when empty). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
