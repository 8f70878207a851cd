// The run's report: one JSON document (--json) or a table, both from the same numbers (pure).
import { classify, DEFECTS, percentile, type Counts, type Defect, type Finding, type Observation } from './classify.js';
import type { Arrival } from './truth.js';
import type { SoakOptions } from './options.js';

export interface ReportInput {
  options: SoakOptions;
  runId: string;
  observations: readonly Observation[];
  arrivals: readonly Arrival[];
  personDrafts: readonly string[];
  sendPhaseMs: number;
  totalMs: number;
  startMs: number;
  faults: unknown;
  simLogs: readonly string[];
  notes: readonly string[];
  tornLogLines: number;
  ledgerRecords: number;
  kept: { dir: string; socket: string } | null;
}

export interface SoakReport {
  ok: boolean;
  seed: number;
  options: SoakOptions;
  counts: Counts;
  /** Sum of every defect count plus person drafts sent and foreign submissions; the target is 0. */
  defectTotal: number;
  throughputPerSec: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; n: number };
  wallMs: { p50: number | null; p99: number | null; n: number };
  durationsMs: { start: number; sends: number; total: number };
  faults: unknown;
  simLogKinds: readonly string[];
  ledgerRecords: number;
  tornLogLines: number;
  notes: readonly string[];
  /** Why sends failed or were held: error code or status, and the first words of the detail, with counts. */
  reasons: Record<string, number>;
  /** Every message with a defect: what it was told, how often it arrived, and why it counts. */
  defective: (Finding & { token: string; verdict: string | null; detail: string | null; ledger: string | null; killed: boolean; kill: string | null; queue: boolean; expectHeld: boolean; nearFaults: string[] })[];
  kept: { dir: string; socket: string } | null;
}

export function buildReport(input: ReportInput): SoakReport {
  const { findings, counts } = classify(input.runId, input.observations, input.arrivals, input.personDrafts);
  const confirmed = input.observations.filter((o) => o.result && (o.result.verdict === 'submitted' || o.result.verdict === 'queued') && o.result.latencyMs !== null).map((o) => o.result!.latencyMs!);
  const walls = input.observations.filter((o) => o.result).map((o) => o.result!.wallMs);
  const defectTotal = DEFECTS.reduce((n, d) => n + counts.defects[d], 0) + counts.personDraftSent + counts.foreignSubmissions;
  return {
    ok: defectTotal === 0,
    seed: input.options.seed,
    options: input.options,
    counts,
    defectTotal,
    throughputPerSec: input.sendPhaseMs > 0 ? round(counts.messages / (input.sendPhaseMs / 1000), 2) : 0,
    latencyMs: { p50: percentile(confirmed, 50), p95: percentile(confirmed, 95), p99: percentile(confirmed, 99), n: confirmed.length },
    wallMs: { p50: percentile(walls, 50), p99: percentile(walls, 99), n: walls.length },
    durationsMs: { start: input.startMs, sends: input.sendPhaseMs, total: input.totalMs },
    faults: input.faults,
    simLogKinds: input.simLogs,
    ledgerRecords: input.ledgerRecords,
    tornLogLines: input.tornLogLines,
    notes: input.notes,
    reasons: reasonsOf(input.observations, findings),
    defective: findings.filter((f) => f.defects.length > 0).map((f) => describe(f, input.observations.find((o) => o.plan.index === f.index)!)),
    kept: input.kept,
  };
}

function reasonsOf(observations: readonly Observation[], findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  findings.forEach((f, i) => {
    if (!['failed', 'error', 'held', 'unconfirmed', 'draft', 'expired'].includes(f.reported)) return;
    const r = observations[i]!.result;
    const detail = (r?.detail ?? '').split('\n')[0]!.replace(new RegExp(`\\b${f.agent.replace(/[^\w]/g, '\\$&')}\\b`, 'g'), '<agent>');
    const key = `${r?.errorCode ?? f.reported}: ${detail.replace(/%\d+|\d+(\.\d+)? ?m?s\b/g, '…').slice(0, 90)}`;
    out[key] = (out[key] ?? 0) + 1;
  });
  return out;
}

function describe(f: Finding, o: Observation): SoakReport['defective'][number] {
  return {
    ...f,
    token: o.plan.token,
    verdict: o.result?.verdict ?? o.result?.errorCode ?? null,
    detail: o.result?.detail ?? null,
    ledger: o.ledger?.status ?? null,
    killed: o.killed,
    kill: o.plan.kill,
    queue: o.plan.queue,
    expectHeld: o.expectHeld,
    nearFaults: o.nearFaults ?? [],
  };
}

const DEFECT_LABELS: Record<Defect, string> = {
  falseSuccess: 'false success (said submitted/queued, never arrived)',
  falseFailure: 'false failure (said failed/held, but arrived)',
  merged: 'merged (shared a submission with other text)',
  altered: 'altered (arrived with other text)',
  duplicate: 'duplicate (arrived twice or more)',
  wrongAgent: 'wrong agent',
  stuckPending: 'stuck pending (open after final deliver)',
  spuriousHeld: 'spurious held (nobody was typing)',
  pastedIntoDraft: "pasted into a person's draft",
  ledgerMismatch: 'ledger disagrees with the verdict',
  badOutput: 'send printed no single JSON document',
};

export function renderTable(r: SoakReport): string {
  const c = r.counts;
  const pct = (n: number) => (c.messages > 0 ? `${((100 * n) / c.messages).toFixed(1)}%` : '-');
  const ms = (n: number | null) => (n === null ? '-' : `${n} ms`);
  const rows: [string, string, string][] = [
    ['messages', String(c.messages), r.options.service ? 'through the fleet service' : 'direct (no service)'],
    ['exactly once', String(c.exactlyOnce), pct(c.exactlyOnce)],
    ...DEFECTS.map((d): [string, string, string] => [DEFECT_LABELS[d], String(c.defects[d]), c.defects[d] > 0 ? 'DEFECT' : '']),
    ["person draft submitted by us", String(c.personDraftSent), c.personDraftSent > 0 ? 'DEFECT' : ''],
    ['foreign submissions (no token)', String(c.foreignSubmissions), c.foreignSubmissions > 0 ? 'DEFECT' : ''],
    ['held, person draft present (correct)', String(c.heldAsExpected), ''],
    ['held behind an unread paste of ours', String(c.heldBehindUnread ?? 0), 'honest'],
    ['unconfirmed: arrived / not arrived', `${c.unconfirmed.arrived} / ${c.unconfirmed.notArrived}`, 'honest'],
    ['draft left in box: arrived / not', `${c.draft.arrived} / ${c.draft.notArrived}`, 'honest'],
    ['failed: arrived / not arrived', `${c.failed.arrived} / ${c.failed.notArrived}`, ''],
    ['lock timeouts', String(c.lockTimeouts), ''],
    ['senders killed (no ledger record yet)', `${c.killed} (${c.killedUnrecorded})`, ''],
    ['throughput', `${r.throughputPerSec} msg/s`, ''],
    ['latency p50 / p95 / p99 (send)', `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p95)} / ${ms(r.latencyMs.p99)}`, `n=${r.latencyMs.n}`],
    ['wall p50 / p99 (process)', `${ms(r.wallMs.p50)} / ${ms(r.wallMs.p99)}`, `n=${r.wallMs.n}`],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([a, b, d]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${d}`.trimEnd());
  const verdicts = Object.entries(c.verdicts).sort().map(([k, v]) => `${k} ${v}`).join(', ');
  lines.push('', `verdicts: ${verdicts}`, `defects: ${r.defectTotal} (target 0)   seed ${r.seed}   durations: start ${r.durationsMs.start} ms, sends ${r.durationsMs.sends} ms, total ${r.durationsMs.total} ms`);
  lines.push(`faults: ${summariseFaults(r.faults)}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  const reasons = Object.entries(r.reasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) lines.push('not delivered, why (as the send said):', ...reasons.slice(0, 10).map(([k, v]) => `  ${v} × ${k}`));
  if (r.defective.length > 0) {
    lines.push('', 'defective messages (first 30):');
    for (const f of r.defective.slice(0, 30)) {
      const how = [f.killed ? `sender killed (${f.kill})` : null, f.queue ? '--queue' : null, f.ledger ? `ledger ${f.ledger}` : null, f.detail ? `"${f.detail.slice(0, 80)}"` : null, f.nearFaults.length > 0 ? `near: ${f.nearFaults.join('; ')}` : 'no fault nearby'].filter(Boolean).join(', ');
      lines.push(`  #${f.index} ${f.token} -> ${f.agent}: reported ${f.reported}, arrived ${f.arrivals}x: ${f.defects.join(', ')}${how ? ` [${how}]` : ''}`);
      if (f.arrivedAs !== null) lines.push(`      arrived as ${JSON.stringify(f.arrivedAs.slice(0, 160))}`);
    }
  }
  if (r.kept) lines.push('', `kept: ${r.kept.dir} (tmux -L ${r.kept.socket}, TMUX_TMPDIR=${r.kept.dir}/tmux)`);
  return lines.join('\n');
}

function summariseFaults(faults: unknown): string {
  const f = faults as { restarts?: unknown[]; kills?: { point: string; how: string }[]; stopQueue?: unknown[]; personDrafts?: unknown[]; wedges?: unknown[]; deliverPasses?: number; deliverFailures?: number; serviceKills?: number };
  const kills = (f.kills ?? []).filter((k) => k.how !== 'missed');
  const byPoint = ['paste', 'enter', 'submit'].map((p) => `${p} ${kills.filter((k) => k.point === p).length}`).join('/');
  return `${f.restarts?.length ?? 0} restarts, ${kills.length} senders killed (${byPoint}), ${f.stopQueue?.length ?? 0} stop-and-queue, ${f.personDrafts?.length ?? 0} person drafts, ${f.wedges?.length ?? 0} wedges, ${f.deliverPasses ?? 0} deliver passes (${f.deliverFailures ?? 0} failed)${f.serviceKills ? `, fleet service killed ${f.serviceKills}×` : ''}`;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
