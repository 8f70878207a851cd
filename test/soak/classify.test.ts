import { describe, expect, it } from 'vitest';
import { classify, percentile, reportedStatus, type Observation, type SendResult } from '../../src/soak/classify.js';
import { tokenFor, type MessagePlan } from '../../src/soak/plan.js';
import type { Arrival } from '../../src/soak/truth.js';
import { buildReport, renderTable } from '../../src/soak/report.js';

const RUN = 'r1';

function message(index: number, agent = 'a'): MessagePlan {
  return { index, token: tokenFor(RUN, index), agent, body: `${tokenFor(RUN, index)} hello`, queue: false, kill: null, restartAfterMs: null, killDelayMs: null };
}

const textOf = (m: MessagePlan) => `[soak:snd0 -> soak:${m.agent}] ${m.body}`;

function result(verdict: string | null, extra: Partial<SendResult> = {}): SendResult {
  return { verdict, errorCode: null, exitCode: 0, jsonOk: true, latencyMs: 100, wallMs: 300, id: 'x', detail: null, ...extra };
}

function obs(m: MessagePlan, verdict: string | null, o: Partial<Observation> = {}): Observation {
  return { plan: m, expectedText: textOf(m), expectHeld: false, killed: false, result: result(verdict), ledger: { id: 'x', status: verdict ?? 'sending', text: textOf(m) }, ...o };
}

function arrival(text: string, agent = 'a', extra: Partial<Arrival> = {}): Arrival {
  return { agent, name: agent, text, queued: false, ts: 1, incarnation: 1, ...extra };
}

function judge(observations: Observation[], arrivals: Arrival[], drafts: string[] = []) {
  return classify(RUN, observations, arrivals, drafts);
}

describe('soak classification', () => {
  it('counts a message that arrived once, exactly, on its target as exactly once and nothing else', () => {
    const m = message(1);
    const { findings, counts } = judge([obs(m, 'submitted')], [arrival(textOf(m))]);
    expect(findings[0]).toMatchObject({ exactlyOnce: true, defects: [], arrivals: 1, reported: 'submitted' });
    expect(counts.exactlyOnce).toBe(1);
  });

  it('calls submitted or queued without an arrival a false success', () => {
    const a = message(1);
    const b = message(2);
    const { counts } = judge([obs(a, 'submitted'), obs(b, 'queued')], []);
    expect(counts.defects.falseSuccess).toBe(2);
    expect(counts.exactlyOnce).toBe(0);
  });

  it('judges a queued (pending) or killed send by the ledger it left after the final deliver', () => {
    const q = message(1);
    const k = message(2);
    const open = message(3);
    const { findings, counts } = judge(
      [
        obs(q, 'pending', { ledger: { id: 'q', status: 'submitted', text: textOf(q) } }),
        obs(k, null, { killed: true, result: null, ledger: { id: 'k', status: 'submitted', text: textOf(k) } }),
        obs(open, 'pending', { ledger: { id: 'o', status: 'pending', text: textOf(open) } }),
      ],
      [arrival(textOf(q))],
    );
    expect(findings.map((f) => f.reported)).toEqual(['submitted', 'submitted', 'pending']);
    expect(findings[1]!.defects).toEqual(['falseSuccess']);
    expect(findings[2]!.defects).toEqual(['stuckPending']);
    expect(counts.killed).toBe(1);
  });

  it('finds merges (two tokens or a person draft in one submission) on every message involved', () => {
    const a = message(1);
    const b = message(2);
    const c = message(3);
    const draft = 'person typing pdr1n0z';
    const { findings, counts } = judge([obs(a, 'draft'), obs(b, 'submitted'), obs(c, 'submitted')], [arrival(`${textOf(a)}${textOf(b)}`), arrival(`${draft}${textOf(c)}`)], [draft]);
    expect(findings.map((f) => f.defects)).toEqual([['merged'], ['merged'], ['merged']]);
    expect(counts.personDraftSent).toBe(1);
    expect(counts.draft).toEqual({ arrived: 1, notArrived: 0 });
  });

  it('finds altered text, duplicates and the wrong agent', () => {
    const a = message(1);
    const b = message(2);
    const c = message(3, 'b');
    const { findings } = judge([obs(a, 'submitted'), obs(b, 'submitted'), obs(c, 'submitted')], [arrival(`\n${textOf(a)}`), arrival(textOf(b)), arrival(textOf(b)), arrival(textOf(c), 'a')]);
    expect(findings.map((f) => f.defects)).toEqual([['altered'], ['duplicate'], ['wrongAgent']]);
    expect(findings.map((f) => f.arrivedAs)).toEqual([`\n${textOf(a)}`, null, null]);
    expect(findings.every((f) => !f.exactlyOnce)).toBe(true);
  });

  it('tells a held with a person draft in the box (correct) from a spurious one, and flags a message pasted into the draft', () => {
    const held = message(1);
    const spurious = message(2);
    const pasted = message(3);
    const { findings, counts } = judge(
      [obs(held, 'held', { expectHeld: true }), obs(spurious, 'held'), obs(pasted, 'submitted', { expectHeld: true })],
      [arrival(textOf(pasted))],
    );
    expect(findings.map((f) => f.defects)).toEqual([[], ['spuriousHeld'], ['pastedIntoDraft']]);
    expect(counts.heldAsExpected).toBe(1);
  });

  it('a held behind an unread paste of ours is honest, not spurious; one that arrived anyway is a false failure', () => {
    const behind = message(1);
    const arrived = message(2);
    const detail = 'an earlier message of ours is still unread: 0mx1, pasted 3 s ago, has not shown on the screen yet (the REPL may be frozen with it unread); nothing was pasted';
    const held = (m: MessagePlan) => obs(m, 'held', { result: result('held', { detail, exitCode: 2 }) });
    const { findings, counts } = judge([held(behind), held(arrived)], [arrival(textOf(arrived))]);
    expect(findings.map((f) => f.defects)).toEqual([[], ['falseFailure']]);
    expect(counts.heldBehindUnread).toBe(2);
    expect(counts.defects.spuriousHeld).toBe(0);
  });

  it('a held-wait whose sender died, finished alone once the draft was cleared, is no defect; merged into the draft it is', () => {
    const finished = message(1);
    const merged = message(2);
    const { findings } = judge(
      [obs(finished, null, { expectHeld: true, killed: true, result: null, ledger: { id: 'f', status: 'submitted', text: textOf(finished) } }), obs(merged, null, { expectHeld: true, killed: true, result: null, ledger: { id: 'm', status: 'submitted', text: textOf(merged) } })],
      [arrival(textOf(finished)), arrival(`person typing ${textOf(merged)}`)],
    );
    expect(findings[0]!.defects).toEqual([]);
    expect(findings[1]!.defects).toContain('pastedIntoDraft');
  });

  it('calls failed/held that arrived a false failure, but splits unconfirmed and failed by arrival without a defect', () => {
    const f1 = message(1);
    const u1 = message(2);
    const u2 = message(3);
    const f2 = message(4);
    const { findings, counts } = judge([obs(f1, 'failed'), obs(u1, 'unconfirmed'), obs(u2, 'unconfirmed'), obs(f2, 'failed')], [arrival(textOf(f1)), arrival(textOf(u1))]);
    expect(findings.map((f) => f.defects)).toEqual([['falseFailure'], [], [], []]);
    expect(counts.unconfirmed).toEqual({ arrived: 1, notArrived: 1 });
    expect(counts.failed).toEqual({ arrived: 1, notArrived: 1 });
  });

  it('flags a ledger that disagrees with the verdict or holds other text, and a send without one JSON document', () => {
    const a = message(1);
    const b = message(2);
    const c = message(3);
    const { findings } = judge(
      [
        obs(a, 'submitted', { ledger: { id: 'a', status: 'held', text: textOf(a) } }),
        obs(b, 'submitted', { ledger: { id: 'b', status: 'submitted', text: 'other' } }),
        obs(c, null, { result: result(null, { jsonOk: false, exitCode: 70 }), ledger: null }),
      ],
      [arrival(textOf(a)), arrival(textOf(b))],
    );
    expect(findings.map((f) => f.defects)).toEqual([['ledgerMismatch'], ['ledgerMismatch'], ['badOutput']]);
    expect(findings[2]!.reported).toBe('none');
  });

  it('counts lock timeouts, error verdicts, and submissions holding none of our tokens', () => {
    const a = message(1);
    const { counts, findings } = judge([obs(a, null, { result: result(null, { errorCode: 'LOCK_TIMEOUT', exitCode: 4 }), ledger: null })], [arrival('stray text')]);
    expect(findings[0]!.reported).toBe('error');
    expect(counts.lockTimeouts).toBe(1);
    expect(counts.failed).toEqual({ arrived: 0, notArrived: 1 });
    expect(counts.foreignSubmissions).toBe(1);
  });

  it('prefers the send verdict to the ledger when the send finished', () => {
    const a = message(1);
    expect(reportedStatus(obs(a, 'held', { ledger: { id: 'a', status: 'submitted', text: textOf(a) } }))).toBe('held');
  });

  it('judges an unconfirmed verdict that a deliver pass settled later by the ledger, without a mismatch', () => {
    const a = message(1);
    const b = message(2);
    const { findings, counts } = judge(
      [obs(a, 'unconfirmed', { ledger: { id: 'a', status: 'submitted', text: textOf(a) } }), obs(b, 'unconfirmed', { ledger: { id: 'b', status: 'unconfirmed', text: textOf(b) } })],
      [],
    );
    expect(findings.map((f) => [f.reported, f.defects])).toEqual([['submitted', ['falseSuccess']], ['unconfirmed', []]]);
    expect(counts.unconfirmed).toEqual({ arrived: 0, notArrived: 1 });
  });
});

describe('soak report', () => {
  it('is ok only with zero defects, and computes latency from confirmed sends', () => {
    const a = message(1);
    const b = message(2);
    const options = { messages: 2, agents: 1, senders: 1, seed: 1, layouts: ['claude' as const], keep: false, json: false, faults: true, mixed: false, service: false };
    const base = { options, runId: RUN, personDrafts: [], sendPhaseMs: 2000, totalMs: 3000, startMs: 500, faults: {}, simLogs: [], notes: [], tornLogLines: 0, ledgerRecords: 2, kept: null };
    const good = buildReport({ ...base, observations: [obs(a, 'submitted'), obs(b, 'queued', { result: result('queued', { latencyMs: 300 }) })], arrivals: [arrival(textOf(a)), arrival(textOf(b))] });
    expect(good).toMatchObject({ ok: true, defectTotal: 0, throughputPerSec: 1, latencyMs: { p50: 100, p99: 300, n: 2 } });
    const bad = buildReport({ ...base, observations: [obs(a, 'submitted'), obs(b, 'submitted')], arrivals: [arrival(textOf(a))] });
    expect(bad).toMatchObject({ ok: false, defectTotal: 1 });
    expect(bad.defective).toHaveLength(1);
    expect(renderTable(bad)).toMatch(/false success .* 1 {2}DEFECT/);
  });

  it('groups why messages were not delivered, with pane ids and timings blanked', () => {
    const options = { messages: 3, agents: 1, senders: 1, seed: 1, layouts: ['claude' as const], keep: false, json: false, faults: true, mixed: false, service: false };
    const [a, b, c] = [message(1), message(2), message(3)];
    const r = buildReport({
      options, runId: RUN, personDrafts: [], sendPhaseMs: 1000, totalMs: 1000, startMs: 1, faults: {}, simLogs: [], notes: [], tornLogLines: 0, ledgerRecords: 3, kept: null, arrivals: [],
      observations: [
        obs(a, 'failed', { result: result('failed', { detail: '%3 did not become ready within 20 s' }) }),
        obs({ ...b, agent: 'b' }, 'failed', { result: result('failed', { detail: 'b did not become ready within 20 s' }) }),
        obs(c, null, { result: result(null, { errorCode: 'LOCK_TIMEOUT', detail: 'lock busy\nmore' }), ledger: null }),
      ],
    });
    expect(r.reasons).toEqual({ 'failed: … did not become ready within …': 1, 'failed: <agent> did not become ready within …': 1, 'LOCK_TIMEOUT: lock busy': 1 });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10)).toBe(1);
  });
});
