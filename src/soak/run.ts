// One soak run over the real CLI: start the private fleet, drive concurrent senders with seeded faults,
// finish with deliver passes, then collect verdicts, the ledger and the sims' ground truth.
import { existsSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { buildPlan, type Episode, type MessagePlan, type PersonDraftEpisode, type SoakPlan, type StopQueueEpisode, type WedgeEpisode } from './plan.js';
import type { SoakOptions } from './options.js';
import { createPrivateFleet, type Bins, type PrivateFleet } from './fleet.js';
import { runProc, type ProcResult } from './proc.js';
import { LogWatch } from './logwatch.js';
import { arrivalsOf, parseSimLog, type Arrival, type SimRecord } from './truth.js';
import type { LedgerView, Observation, SendResult } from './classify.js';
import { tokensIn } from './plan.js';
import { startSoakService, type SoakService } from './service.js';

export class SoakError extends Error {}

export interface KillEvent {
  index: number;
  point: string;
  /** What triggered it: `record:<kind>` (the sim logged it), `delay` (no record to watch), or `missed` (the send ended first). */
  how: string;
}

export interface FaultLog {
  restarts: { agent: string; index: number; exitCode: number | null }[];
  kills: KillEvent[];
  stopQueue: { agent: string; stopExit: number | null; startExit: number | null }[];
  personDrafts: { agent: string; shown: boolean; cleared: boolean }[];
  wedges: { agent: string; pid: number | null; ms: number }[];
  deliverPasses: number;
  deliverFailures: number;
  /** Times the fleet service was killed and restarted (--service). */
  serviceKills: number;
  /** Every fault with its agent and time (ms since the sends began), to show which defects had a fault nearby. */
  timeline: { at: number; agent: string; what: string }[];
}

export interface RunOutcome {
  plan: SoakPlan;
  observations: Observation[];
  arrivals: Arrival[];
  personDrafts: string[];
  faults: FaultLog;
  sendPhaseMs: number;
  totalMs: number;
  startMs: number;
  tornLogLines: number;
  simLogs: string[];
  notes: string[];
  ledgerRecords: number;
  kept: { dir: string; socket: string } | null;
}

export interface RunHooks {
  /** Called as soon as the fleet exists, so Ctrl-C can tear it down. */
  onFleet(fleet: PrivateFleet): void;
  progress(line: string): void;
}

const SENDER_HOST = 'soak';

export async function runSoak(options: SoakOptions, bins: Bins, hooks: RunHooks): Promise<RunOutcome> {
  const t0 = Date.now();
  checkSimSupports(bins, options);
  const plan = buildPlan({ seed: options.seed, messages: options.messages, agents: options.agents, layouts: options.layouts, faults: options.faults, mixed: options.mixed });
  const fleet = createPrivateFleet(bins, plan.agents);
  hooks.onFleet(fleet);
  hooks.progress(`soak: seed ${options.seed}, ${options.messages} messages, ${plan.agents.length} agents (${[...new Set(options.layouts)].join(',')}), ${options.senders} senders; fleet in ${fleet.dir}, socket ${fleet.socket}`);
  const started = await fleet.fleet(['start', '--json'], 300_000);
  const startNotes = checkStarted(started);
  const startMs = Date.now() - t0;
  hooks.progress(`soak: fleet started in ${startMs} ms${startNotes.length > 0 ? ` (${startNotes.join('; ')})` : ''}`);
  const service = options.service ? await startSoakService(bins, fleet) : null;
  if (service) hooks.progress(`soak: fleet service up (pid ${service.pid}); every send goes through it`);
  const watch = new LogWatch(new Map(plan.agents.map((a) => [a.name, fleet.logOf(a.name)])));
  watch.start();
  const driver = new Driver(options, bins, plan, fleet, watch, hooks, service);
  const sendStart = Date.now();
  try {
    await driver.sendAll();
  } finally {
    driver.stopBackground();
  }
  const sendPhaseMs = Date.now() - sendStart;
  hooks.progress(`soak: sends done in ${sendPhaseMs} ms; final deliver passes`);
  try {
    await driver.finalDeliver();
  } finally {
    await service?.stop();
  }
  watch.poll();
  watch.stop();
  const ledger = await readLedger(bins, fleet, plan.runId);
  const { arrivals, torn } = readTruth(plan, fleet);
  const observations = driver.observations(ledger.byIndex);
  const notes = [...startNotes, ...driver.notes(watch)];
  if (ledger.extra > 0) notes.push(`${ledger.extra} ledger records carry a token another record already has (one message recorded twice)`);
  return {
    plan,
    observations,
    arrivals,
    personDrafts: plan.episodes.filter((e): e is PersonDraftEpisode => e.kind === 'person-draft').map((e) => e.draft),
    faults: driver.faults,
    sendPhaseMs,
    totalMs: Date.now() - t0,
    startMs,
    tornLogLines: torn,
    simLogs: [...watch.kindsSeen].sort(),
    notes,
    ledgerRecords: ledger.records,
    kept: options.keep ? { dir: fleet.dir, socket: fleet.socket } : null,
  };
}

/** Go on when every pane exists even if some REPL was not seen ready (a layout `start` cannot read is a finding,
 *  and the sends to it are judged like any other); stop when the fleet did not come up at all. */
function checkStarted(r: ProcResult): string[] {
  const doc = parseJson(r.stdout) as { agents?: { name: string; outcome?: string; ready?: boolean }[] } | null;
  if (r.code === 0) return [];
  const agents = doc?.agents ?? [];
  const up = agents.filter((a) => a.outcome === 'started' || a.outcome === 'replaced' || a.outcome === 'present' || a.outcome === 'running');
  if (agents.length === 0 || up.length < agents.length) throw new SoakError(`mosaic-fleet start failed (exit ${r.code}): ${r.stdout.slice(0, 600)} ${r.stderr.slice(0, 300)}`);
  const notReady = agents.filter((a) => a.ready === false).map((a) => a.name);
  return [`mosaic-fleet start exited ${r.code}: ${notReady.length} agents started but not seen ready (${notReady.join(', ')})`];
}

/** Layouts and --mixed need a sim that has them; refuse instead of silently soaking the default sim. */
function checkSimSupports(bins: Bins, options: SoakOptions): void {
  const file = bins.sim.replace(/main\.js$/, 'options.js');
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const needed = [
    ...(options.layouts.some((l) => l !== 'claude') ? ['MOSAIC_SIM_LAYOUT'] : []),
    ...(options.mixed ? ['MOSAIC_SIM_PLACEHOLDER', 'MOSAIC_SIM_IGNORE_ENTERS', 'MOSAIC_SIM_ENTER_NEWLINE_MS', 'SIGUSR1'] : []),
  ];
  const missing = needed.filter((n) => !new RegExp(`\\b${n}\\b`).test(source));
  if (missing.length > 0) {
    throw new SoakError(`this build's sim lacks ${missing.join(', ')} (${file}); run without --mixed and with --layouts claude`);
  }
}

interface Sent {
  plan: MessagePlan;
  sender: string;
  expectHeld: boolean;
  killed: boolean;
  result: SendResult | null;
  startedAt: number;
  endedAt: number;
}

/** A fault this close before a send (or during it) is shown beside a defect on the same agent. */
const NEAR_FAULT_MS = 15_000;

class Driver {
  readonly faults: FaultLog = { restarts: [], kills: [], stopQueue: [], personDrafts: [], wedges: [], deliverPasses: 0, deliverFailures: 0, serviceKills: 0, timeline: [] };
  private readonly t0 = Date.now();
  private readonly sent = new Map<number, Sent>();
  private readonly inFlight = new Map<string, number>();
  /** Agents an episode owns or will own (a count: two episodes may queue for one agent): regular messages go elsewhere. */
  private readonly excluded = new Map<string, number>();
  private episodeChain: Promise<void> = Promise.resolve();
  private readonly background: Promise<unknown>[] = [];
  private deliverTimer: NodeJS.Timeout | null = null;
  private delivering = false;
  private retargeted = 0;
  private readonly episodeErrors: string[] = [];

  constructor(
    private readonly options: SoakOptions,
    private readonly bins: Bins,
    private readonly plan: SoakPlan,
    private readonly fleet: PrivateFleet,
    private readonly watch: LogWatch,
    private readonly hooks: RunHooks,
    private readonly service: SoakService | null = null,
  ) {}

  async sendAll(): Promise<void> {
    const byStart = new Map<number, Episode[]>();
    for (const e of this.plan.episodes) byStart.set(e.at, [...(byStart.get(e.at) ?? []), e]);
    // Deliver passes run during the load too, as the fleet service (mosaic-serve.service) would.
    this.deliverTimer = setInterval(() => void this.deliverPass(), 15_000);
    let next = 0;
    let done = 0;
    const total = this.plan.regular.length;
    const worker = async (slot: number) => {
      for (let i = next++; i < total; i = next++) {
        for (const e of byStart.get(i) ?? []) this.startEpisode(e);
        const m = this.plan.regular[i]!;
        this.retarget(m);
        await this.send(m, `snd${slot}`, m.queue, false);
        done++;
        // The service dies twice under load (at a third and two thirds): senders in flight lose it mid-send.
        if (this.service && this.options.faults && (done === Math.floor(total / 3) || done === Math.floor((2 * total) / 3))) this.background.push(this.crashService());
        if (done % 100 === 0) this.hooks.progress(`soak: ${done}/${total} regular messages sent`);
      }
    };
    await Promise.all(Array.from({ length: this.options.senders }, (_, s) => worker(s)));
    await this.episodeChain;
    await Promise.all(this.background);
  }

  stopBackground(): void {
    if (this.deliverTimer) clearInterval(this.deliverTimer);
    this.deliverTimer = null;
  }

  /** Start every agent (a failed restart may have left one down), then deliver until nothing is open. */
  async finalDeliver(): Promise<void> {
    const started = await this.fleet.fleet(['start', '--json'], 300_000);
    if (started.code !== 0) this.hooks.progress(`soak: final start exited ${started.code}`);
    // A busy agent with a backlog in its REPL's own queue takes one pending message per idle moment: keep passing
    // while messages still get handed over (by these passes or the fleet service's own); stuck means 15 passes in a
    // row (about 30 s) with nothing handed over.
    const deadline = Date.now() + 300_000;
    let before = Number.POSITIVE_INFINITY;
    for (let idle = 0; idle < 15 && Date.now() < deadline; ) {
      const r = await this.deliverPass(true);
      const open = await this.openCount();
      if (r !== null && r.waiting === 0 && open === 0) return;
      idle = open < before ? 0 : idle + 1;
      before = open;
      await sleep(2000);
    }
  }

  observations(ledger: Map<number, LedgerView>): Observation[] {
    const all = [...this.plan.regular, ...this.plan.episodes.flatMap((e) => e.messages)].sort((a, b) => a.index - b.index);
    return all.map((m) => {
      const s = this.sent.get(m.index);
      const sender = s?.sender ?? 'none';
      return {
        plan: m,
        expectedText: `[${SENDER_HOST}:${sender} -> ${SENDER_HOST}:${m.agent}] ${m.body}`,
        expectHeld: s?.expectHeld ?? false,
        killed: s?.killed ?? false,
        result: s?.result ?? null,
        ledger: ledger.get(m.index) ?? null,
        nearFaults: s ? this.faultsNear(m.agent, s.startedAt, s.endedAt) : [],
      };
    });
  }

  private faultsNear(agent: string, from: number, to: number): string[] {
    return this.faults.timeline.filter((f) => f.agent === agent && f.at >= from - NEAR_FAULT_MS && f.at <= to).map((f) => `${f.what} at ${f.at - from} ms`);
  }

  private mark(agent: string, what: string): void {
    this.faults.timeline.push({ at: Date.now() - this.t0, agent, what });
  }

  notes(watch: LogWatch): string[] {
    const out: string[] = [];
    const byDelay = this.faults.kills.filter((k) => k.how === 'delay').length;
    if (byDelay > 0) out.push(`${byDelay} kills used a fixed delay after the sender started (this sim logs no ${watch.kindsSeen.has('paste') ? 'enter' : 'paste'} records to watch for)`);
    const enterProxy = this.faults.kills.filter((k) => k.point === 'enter' && k.how === 'record:swallowed').length;
    if (enterProxy > 0) out.push(`${enterProxy} "after Enter" kills fired on the sim's 'swallowed' record (an Enter that arrived inside the swallow window; this sim logs no 'enter' records)`);
    const late = this.faults.kills.filter((k) => k.point !== 'submit' && k.how === 'record:submit').length;
    if (late > 0) out.push(`${late} kills meant for after paste/Enter fired only at the submission`);
    const missed = this.faults.kills.filter((k) => k.how === 'missed').length;
    if (missed > 0) out.push(`${missed} planned kills did not fire (the send finished first)`);
    for (const e of this.episodeErrors) out.push(`episode failed: ${e}`);
    if (this.retargeted > 0) out.push(`${this.retargeted} messages went to another agent than planned (their target was in a stop or person-draft episode)`);
    return out;
  }

  private retarget(m: MessagePlan): void {
    if (!this.excluded.has(m.agent)) return;
    const names = this.plan.agents.map((a) => a.name);
    const from = names.indexOf(m.agent);
    for (let k = 1; k < names.length; k++) {
      const candidate = names[(from + k) % names.length]!;
      if (!this.excluded.has(candidate)) {
        m.agent = candidate;
        this.retargeted++;
        return;
      }
    }
  }

  private async send(m: MessagePlan, sender: string, queue: boolean, expectHeld: boolean): Promise<void> {
    const entry: Sent = { plan: m, sender, expectHeld, killed: false, result: null, startedAt: Date.now() - this.t0, endedAt: 0 };
    this.sent.set(m.index, entry);
    this.inFlight.set(m.agent, (this.inFlight.get(m.agent) ?? 0) + 1);
    const args = ['send', m.agent, '--from', `${SENDER_HOST}:${sender}`, '--to-host', SENDER_HOST, '--json', '-f', '-', ...(queue ? ['--queue'] : [])];
    let unwatch: (() => void) | null = null;
    let timer: NodeJS.Timeout | null = null;
    let restartTimer: NodeJS.Timeout | null = null;
    try {
      const result = await runProc(process.execPath, [this.bins.agent, ...args], {
        env: this.fleet.env,
        input: m.body,
        timeoutMs: 180_000,
        onSpawn: (child) => {
          if (m.kill) ({ unwatch, timer } = this.armKill(m, child, entry));
          if (m.restartAfterMs !== null) restartTimer = setTimeout(() => this.background.push(this.restart(m)), m.restartAfterMs);
        },
      });
      if (m.kill && !entry.killed && !this.faults.kills.some((k) => k.index === m.index)) this.faults.kills.push({ index: m.index, point: m.kill, how: 'missed' });
      // The service died under this send: like a killed sender, what happened is the ledger's and the pane's to say.
      if (!entry.killed && this.service && /"code": "SERVICE_LOST"/.test(result.stdout)) entry.killed = true;
      entry.result = entry.killed ? null : toSendResult(result);
    } finally {
      (unwatch as (() => void) | null)?.();
      if (timer) clearTimeout(timer);
      if (restartTimer) clearTimeout(restartTimer);
      entry.endedAt = Date.now() - this.t0;
      this.inFlight.set(m.agent, (this.inFlight.get(m.agent) ?? 1) - 1);
    }
  }

  private async crashService(): Promise<void> {
    const pid = this.service!.pid;
    await this.service!.crashAndRestart();
    this.faults.timeline.push({ at: Date.now() - this.t0, agent: '*', what: `fleet service ${pid} killed and restarted` });
    this.faults.serviceKills += 1;
  }

  /** Kill the sender when the sim logs the planned point for this message's token (or after a delay when it logs none). */
  private armKill(m: MessagePlan, child: ChildProcess, entry: Sent): { unwatch: (() => void) | null; timer: NodeJS.Timeout | null } {
    const kill = (how: string) => {
      if (entry.killed || child.exitCode !== null || child.signalCode !== null) return;
      entry.killed = child.kill('SIGKILL');
      if (!entry.killed) return;
      this.faults.kills.push({ index: m.index, point: m.kill!, how });
      this.mark(m.agent, `sender of #${m.index} killed after ${m.kill}`);
    };
    const kinds = this.triggerKinds(m.kill!);
    if (kinds.length === 0) return { unwatch: null, timer: setTimeout(() => kill('delay'), m.killDelayMs ?? 300) };
    const unwatch = this.watch.on((agent, record: SimRecord) => {
      if (agent !== m.agent || !kinds.includes(record.kind)) return;
      if (!tokensIn(this.plan.runId, record.text ?? '').includes(m.index)) return;
      kill(`record:${record.kind}`);
    });
    return { unwatch, timer: null };
  }

  /** Which log records mean "the paste / the Enter / the submission happened" for this sim. */
  private triggerKinds(point: 'paste' | 'enter' | 'submit'): string[] {
    const seen = this.watch.kindsSeen;
    if (point === 'submit') return ['submit'];
    if (point === 'paste') return seen.has('paste') ? ['paste'] : [];
    return seen.has('enter') ? ['enter'] : ['swallowed', 'submit'];
  }

  private async restart(m: MessagePlan): Promise<void> {
    this.mark(m.agent, `restart during #${m.index}`);
    const r = await this.fleet.fleet(['restart', m.agent, '--json']);
    this.faults.restarts.push({ agent: m.agent, index: m.index, exitCode: r.code });
  }

  private startEpisode(e: Episode): void {
    // A wedge is not exclusive: the load keeps sending to the stopped REPL, which is the point.
    if (e.kind === 'wedge') {
      this.background.push(this.wedge(e));
      return;
    }
    this.excluded.set(e.agent, (this.excluded.get(e.agent) ?? 0) + 1);
    const release = () => {
      const left = (this.excluded.get(e.agent) ?? 1) - 1;
      if (left > 0) this.excluded.set(e.agent, left);
      else this.excluded.delete(e.agent);
    };
    this.episodeChain = this.episodeChain
      .then(() => (e.kind === 'stop-queue' ? this.stopQueue(e) : this.personDraft(e)))
      // One failed episode is reported, and the next ones still run.
      .catch((error: unknown) => void this.episodeErrors.push(`${e.kind} on ${e.agent}: ${(error as Error).message}`))
      .finally(release);
  }

  /** SIGUSR1 to the agent's sim (it stops reading input and drawing), SIGUSR2 after wedgeMs. */
  private async wedge(e: WedgeEpisode): Promise<void> {
    const pid = await this.simPid(e.agent);
    this.faults.wedges.push({ agent: e.agent, pid, ms: e.wedgeMs });
    if (pid === null) return;
    this.mark(e.agent, `wedged ${e.wedgeMs} ms`);
    signal(pid, 'SIGUSR1');
    await sleep(e.wedgeMs);
    signal(pid, 'SIGUSR2');
  }

  /** The sim process of an agent's pane: the pane's process, or its child when a launcher sits between. */
  private async simPid(agent: string): Promise<number | null> {
    const panePid = Number((await this.fleet.tmux(['list-panes', '-t', `=${agent}`, '-F', '#{pane_pid}'])).stdout.trim().split('\n')[0]);
    if (!(panePid > 0)) return null;
    // The sim renames itself (process.title), which rewrites its cmdline.
    const isSim = (pid: number) => /sim\/main\.js|^mosaic-sim/.test(readProc(`/proc/${pid}/cmdline`));
    if (isSim(panePid)) return panePid;
    const children = readProc(`/proc/${panePid}/task/${panePid}/children`).split(' ').map(Number).filter((n) => n > 0);
    return children.find(isSim) ?? null;
  }

  private async drain(agent: string): Promise<void> {
    for (let waited = 0; (this.inFlight.get(agent) ?? 0) > 0 && waited < 60_000; waited += 50) await sleep(50);
  }

  private async stopQueue(e: StopQueueEpisode): Promise<void> {
    await this.drain(e.agent);
    this.mark(e.agent, 'stopped');
    const stop = await this.fleet.fleet(['stop', e.agent, '--json']);
    for (const m of e.messages) await this.send(m, 'sndq', true, false);
    // A pass while it is down must keep the messages pending.
    await this.deliverPass(true);
    await sleep(e.stoppedMs);
    const start = await this.fleet.fleet(['start', e.agent, '--json'], 120_000);
    this.mark(e.agent, 'started again');
    await this.deliverPass(true);
    this.faults.stopQueue.push({ agent: e.agent, stopExit: stop.code, startExit: start.code });
  }

  /** Type into the box as a person would (send-keys -l), send to the agent (expect `held`), then clear the box. */
  private async personDraft(e: PersonDraftEpisode): Promise<void> {
    await this.drain(e.agent);
    // A person types into a box they see idle: not while queued messages are still being handed to it (a stop-and-
    // queue episode on the same agent may have just ended). Typing into a paste in flight is a race nobody can win.
    for (let waited = 0; (await this.openCount(e.agent)) > 0 && waited < 60_000; waited += 200) await sleep(200);
    const pane = (await this.fleet.tmux(['list-panes', '-t', `=${e.agent}`, '-F', '#{pane_id}'])).stdout.trim().split('\n')[0] ?? '';
    if (!/^%\d+$/.test(pane)) {
      this.faults.personDrafts.push({ agent: e.agent, shown: false, cleared: false });
      for (const m of e.messages) await this.send(m, 'sndp', false, false);
      return;
    }
    this.mark(e.agent, 'person draft typed');
    await this.fleet.tmux(['send-keys', '-t', pane, '-l', e.draft]);
    const shown = await this.paneShows(pane, e.draft, true);
    await Promise.all(e.messages.map((m) => this.send(m, 'sndp', false, shown)));
    await this.fleet.tmux(['send-keys', '-t', pane, 'C-u']);
    const cleared = await this.paneShows(pane, e.draft, false);
    this.mark(e.agent, 'person draft cleared');
    this.faults.personDrafts.push({ agent: e.agent, shown, cleared });
  }

  private async paneShows(pane: string, text: string, want: boolean): Promise<boolean> {
    for (let waited = 0; waited < 5000; waited += 50) {
      const screen = (await this.fleet.tmux(['capture-pane', '-p', '-t', pane])).stdout;
      if (screen.includes(text) === want) return true;
      await sleep(50);
    }
    return false;
  }

  private async deliverPass(force = false): Promise<{ waiting: number } | null> {
    if (this.delivering && !force) return null;
    this.delivering = true;
    try {
      const r = await this.fleet.fleet(['deliver', '--json'], 300_000);
      this.faults.deliverPasses++;
      const doc = parseJson(r.stdout) as { waiting?: number } | null;
      if (r.code !== 0 || !doc) this.faults.deliverFailures++;
      return { waiting: doc?.waiting ?? -1 };
    } finally {
      this.delivering = false;
    }
  }

  private async openCount(agent?: string): Promise<number> {
    const r = await runProc(process.execPath, [this.bins.agent, 'log', ...(agent ? [agent] : []), '--status', 'pending', 'sending', '-n', '100000', '--json'], { env: this.fleet.env });
    const doc = parseJson(r.stdout) as { messages?: unknown[] } | null;
    return doc?.messages?.length ?? -1;
  }
}

function toSendResult(r: ProcResult): SendResult {
  const doc = parseJson(r.stdout) as { status?: string; latencyMs?: number; id?: string; detail?: string; error?: { code?: string; message?: string } } | null;
  return {
    verdict: doc && typeof doc.status === 'string' ? doc.status : null,
    errorCode: doc?.error?.code ?? null,
    exitCode: r.code,
    jsonOk: doc !== null,
    latencyMs: doc && typeof doc.latencyMs === 'number' ? doc.latencyMs : null,
    wallMs: r.wallMs,
    id: doc && typeof doc.id === 'string' ? doc.id : null,
    detail: doc?.detail ?? doc?.error?.message ?? null,
  };
}

/** Exactly one JSON document on stdout, or null. */
export function parseJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return null;
  }
}

/** Every ledger record of this run, keyed by the message token in its body (read with `mosaic-agent log --json`). */
async function readLedger(bins: Bins, fleet: PrivateFleet, runId: string): Promise<{ byIndex: Map<number, LedgerView>; records: number; extra: number }> {
  const r = await runProc(process.execPath, [bins.agent, 'log', '-n', '100000000', '--json'], { env: fleet.env, timeoutMs: 300_000 });
  const doc = parseJson(r.stdout) as { messages?: { id: string; status: string; text: string; body: string }[] } | null;
  if (!doc?.messages) throw new SoakError(`mosaic-agent log --json gave no messages (exit ${r.code}): ${r.stderr.slice(0, 300)}`);
  const byIndex = new Map<number, LedgerView>();
  let extra = 0;
  for (const m of doc.messages) {
    for (const index of new Set(tokensIn(runId, m.body))) {
      if (byIndex.has(index)) extra++;
      else byIndex.set(index, { id: m.id, status: m.status, text: m.text });
    }
  }
  return { byIndex, records: doc.messages.length, extra };
}

function readTruth(plan: SoakPlan, fleet: PrivateFleet): { arrivals: Arrival[]; torn: number } {
  const arrivals: Arrival[] = [];
  let torn = 0;
  for (const a of plan.agents) {
    const file = fleet.logOf(a.name);
    if (!existsSync(file)) continue;
    const parsed = parseSimLog(readFileSync(file, 'utf8'));
    torn += parsed.torn;
    arrivals.push(...arrivalsOf(a.name, parsed.records));
  }
  return { arrivals, torn };
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // the REPL is gone (a restart replaced it): nothing to wedge or resume
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
