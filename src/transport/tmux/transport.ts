import { readFileSync } from 'node:fs';
import { FleetError, UsageError } from '../../errors.js';
import type { Host } from '../../host/types.js';
import { Tmux, observePane, describeSocket, type SocketSpec } from '../../tmux/client.js';
import type { PaneInfo, PaneState } from '../../tmux/format.js';
import { resolvePane } from '../../tmux/target.js';
import { profileFor } from '../../runtimes/registry.js';
import { deliver, deliverLocked, finishIfInBox, withPaneLock, type HintStore } from '../../delivery/deliver.js';
import { FilePaneMemory, paneKey, type PaneMemory } from '../../evidence/memory.js';
import { knowsScreen, readPane, withEmptyLook, type Reading } from '../../evidence/reading.js';
import { steadyEnough, unchanged } from '../../evidence/judge.js';
import { countCopies, holdsBody, showsOpening } from '../../evidence/text.js';
import type { RuntimeProfile } from '../../runtimes/types.js';
import { buildText, type Endpoint } from '../../delivery/body.js';
import type {
  AgentLaunch,
  AgentStatus,
  Check,
  DiagnoseOptions,
  FleetOverview,
  OutgoingMessage,
  OverviewOptions,
  ResetOptions,
  ResetResult,
  SendOptions,
  SendResult,
  StartOutcome,
  Transport,
} from '../types.js';
import { processTree, reap } from './processes.js';
import { ReceiptReader } from './receipts.js';
import type { CallAsk } from '../../service/protocol.cjs';

export interface TmuxTransportOptions {
  host: Host;
  socket: SocketSpec;
  holderSession: string;
  configFile?: string;
  /** Where pane memory is kept (default: from process.env). */
  memoryDir?: string;
  /** Remote hosts: hand sends to the fleet service running there, when one does (default true). */
  remoteService?: boolean;
}

// The holder keeps the server alive and owns it (it is created first, so the server forks from its caller).
const HOLDER_ARGV = ['sh', '-c', 'trap "exit 0" TERM HUP; while :; do sleep 3600 & wait $!; done'];
const PANE_SIZE = ['-x', '200', '-y', '50'];
// Claude rewrites ~/.claude.json at startup without a lock; parallel launches truncate it and it shows onboarding
// again (anthropics/claude-code #29143). Agents sharing such a file start one at a time, each given this long to settle.
const STARTUP_SETTLE_MAX_MS = 20_000;
const STARTUP_LOCK_TIMEOUT_MS = 5 * 60_000;
// Restart, stop and reset wait this long for a send in flight to finish with the pane.
const LIFECYCLE_LOCK_TIMEOUT_MS = 60_000;

export class TmuxTransport implements Transport {
  readonly kind = 'tmux';
  readonly tmux: Tmux;
  readonly host: Host;
  readonly holderSession: string;

  private readonly localConfig: string | undefined;
  private readonly remoteService: boolean;
  private remoteHome: Promise<string> | null = null;
  /** What was learnt about each pane's screen (how to read it, how its empty input area looks). */
  memory: PaneMemory;

  constructor(options: TmuxTransportOptions) {
    this.host = options.host;
    this.holderSession = options.holderSession;
    this.localConfig = options.configFile;
    this.remoteService = options.remoteService ?? true;
    this.memory = new FilePaneMemory(options.memoryDir);
    // A remote host gets our config uploaded before a command there could start its server (prepareServerConfig).
    this.tmux = new Tmux(options.host, options.socket, options.host.isLocal ? options.configFile : undefined);
  }

  hostLabel(): Promise<string> {
    return this.host.shortHostname();
  }

  address(): string {
    return this.tmux.socket.name ?? this.tmux.socket.path ?? 'default';
  }

  async storeInboxCopy(session: string, record: { id: string }): Promise<void> {
    if (this.host.isLocal) return; // the ledger on this machine already has it
    // One file per message (written then renamed): concurrent senders never interleave, and nothing is installed.
    const script =
      'umask 077; d="${XDG_STATE_HOME:-$HOME/.local/state}/mosaic/fleet/inbox/$1"; mkdir -p "$d" && ' +
      'cat > "$d/.$2.tmp" && mv -f "$d/.$2.tmp" "$d/$2.json"';
    const r = await this.host.exec(['sh', '-c', script, 'sh', session, record.id], { input: JSON.stringify(record), timeoutMs: 15_000 });
    if (r.code !== 0) throw new FleetError('TMUX_FAILED', `cannot leave the inbox copy on host ${this.host.name}: ${r.stderr.trim()}`);
  }

  async diagnose(options: DiagnoseOptions): Promise<Check[]> {
    const { diagnoseTmux } = await import('./diagnose.js');
    return diagnoseTmux(this, options);
  }

  /** Read-only: list-panes and capture-pane only (and no config is passed for a server we did not create). */
  async capture(target: string): Promise<{ session: string; panes: number; text: string }> {
    const panes = await this.tmux.listPanes();
    const first = resolvePane(panes, target, this.tmux.where());
    const mine = /^%\d+$/.test(target) ? [first] : panes.filter((p) => p.sessionName === first.sessionName);
    const parts: string[] = [];
    for (const p of mine) {
      const text = (await this.tmux.captureHistory(p.paneId, 'all')).replace(/\n+$/, '');
      parts.push(mine.length > 1 ? `### ${p.sessionName}:${p.windowIndex}.${p.paneIndex} (${p.paneId})\n${text}` : text);
    }
    return { session: first.sessionName, panes: mine.length, text: `${parts.join('\n\n')}\n` };
  }

  /** Respawn one pane in place (same pane id, same session): with `agent`, its launch; without, its current command. */
  async respawnInPlace(pane: PaneInfo, agent: AgentLaunch | null): Promise<void> {
    this.paneCache = null;
    if (agent) {
      await this.respawn(pane, agent);
      return;
    }
    await withPaneLock(this.tmux, pane, LIFECYCLE_LOCK_TIMEOUT_MS, async () => {
      const tree = pane.dead ? [] : await processTree(this.host, [pane.panePid]);
      await this.tmux.run(['respawn-pane', '-k', '-t', pane.paneId]);
      await reap(this.host, tree);
    });
  }

  /** Upload the shipped tmux.conf to a remote host (nothing is installed there) and use that copy with -f. */
  private async prepareServerConfig(): Promise<void> {
    if (this.host.isLocal || this.tmux.configFile || !this.localConfig) return;
    const script = 'umask 077; d="${TMUX_TMPDIR:-/tmp}/mosaic-fleet-$(id -u)"; mkdir -p "$d" && cat > "$d/tmux.conf" && printf "%s\\n" "$d/tmux.conf"';
    const r = await this.host.exec(['sh', '-c', script], { input: readFileSync(this.localConfig), timeoutMs: 15_000 });
    if (r.code !== 0) throw new FleetError('TMUX_FAILED', `cannot write the tmux config on host ${this.host.name}: ${r.stderr.trim()}`);
    this.tmux.configFile = r.stdout.trim();
  }

  /** A remote working directory written with ~ means the remote account's home. */
  private async remoteDirectory(dir: string): Promise<string> {
    if (this.host.isLocal || !(dir === '~' || dir.startsWith('~/'))) return dir;
    this.remoteHome ??= this.host.exec(['sh', '-c', 'printf %s "$HOME"'], { timeoutMs: 15_000 }).then((r) => r.stdout.trim());
    return `${await this.remoteHome}${dir.slice(1)}`;
  }

  async overview(rosterNames: string[], options: OverviewOptions = {}): Promise<FleetOverview> {
    // A remote host's service may serve another roster: the holder is named as ours names it.
    const holder = options.holder ?? this.holderSession;
    const served = options.direct ? null : await this.askHostService<FleetOverview>({ op: 'overview', holder, roster: rosterNames });
    if (served) return { ...served, host: this.host.name, agents: served.agents.map((a) => ({ ...a, host: this.host.name })) };
    let panes = await this.tmux.listPaneStates();
    // tmux marks a pane dead when its pty closes and records the exit status when it reaps the child, a moment
    // later (longer under load): give a fresh death up to a second to show its status.
    for (let i = 0; i < 10 && panes.some((p) => p.dead && p.deadStatus === null && p.deadSignal === null); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      panes = await this.tmux.listPaneStates();
    }
    const serverPid = panes[0]?.serverPid ?? null;
    const bySession = firstPanePerSession(panes);
    const agents: AgentStatus[] = [];
    const seen = new Set<string>();
    for (const name of rosterNames) {
      seen.add(name);
      const pane = bySession.get(name);
      agents.push(pane ? await this.statusOf(pane, true) : missingStatus(name, this.host.name));
    }
    for (const [name, pane] of bySession) {
      if (seen.has(name) || name === holder) continue;
      agents.push(await this.statusOf(pane, false));
    }
    return {
      host: this.host.name,
      reachable: true,
      serverPid,
      socketPath: panes[0]?.socketPath ?? null,
      holder: panes.length === 0 ? 'no-server' : bySession.has(holder) ? 'running' : 'missing',
      agents,
    };
  }

  private async statusOf(pane: PaneState, inRoster: boolean): Promise<AgentStatus> {
    const base: AgentStatus = {
      name: pane.sessionName,
      host: this.host.name,
      state: pane.dead ? 'dead' : pane.busy ? 'busy' : 'idle',
      inRoster,
      runtime: pane.runtime || 'unknown',
      launcher: pane.launcher || 'unknown',
      pid: pane.dead ? null : pane.panePid,
      paneId: pane.paneId,
      exitStatus: pane.deadStatus,
      exitSignal: pane.deadSignal,
      startedAt: pane.started ?? pane.sessionCreated * 1000,
    };
    return base;
  }

  async ensureHolder(): Promise<'created' | 'present'> {
    this.paneCache = null;
    await this.prepareServerConfig();
    const panes = await this.tmux.listPanes();
    if (panes.some((p) => p.sessionName === this.holderSession)) return 'present';
    try {
      await this.tmux.run(['new-session', '-d', '-s', this.holderSession, ...PANE_SIZE, '--', ...HOLDER_ARGV, ';', 'set-option', '@mosaic_holder', '1']);
    } catch (error) {
      // Another starter created it between our check and our call.
      if (error instanceof FleetError && /duplicate session/.test(error.message)) return 'present';
      throw error;
    }
    return 'created';
  }

  async start(agent: AgentLaunch, options: { replace?: boolean }): Promise<StartOutcome> {
    this.paneCache = null;
    await this.ensureHolder();
    const shared = profileFor(agent.profile).startupStateFile?.(agent.env);
    if (!shared) return this.launch(agent, options);
    // A host-wide lock, not an in-process queue: systemd starts every agent unit at once at boot.
    const lock = await this.host.lock(`startup ${shared}`, STARTUP_LOCK_TIMEOUT_MS);
    try {
      const outcome = await this.launch(agent, options);
      if (outcome !== 'already-running') {
        await this.waitReady({ ...agent, readyTimeoutMs: Math.min(agent.readyTimeoutMs, STARTUP_SETTLE_MAX_MS) }).catch(() => undefined);
      }
      return outcome;
    } finally {
      await lock.release();
    }
  }

  private async launch(agent: AgentLaunch, options: { replace?: boolean }): Promise<StartOutcome> {
    const panes = await this.tmux.listPanes();
    const existing = panes.find((p) => p.sessionName === agent.name);
    if (existing && !existing.dead && !options.replace) return 'already-running';
    if (existing) {
      if (!(await this.respawn(existing, agent))) return 'already-running';
      return existing.dead ? 'revived' : 'replaced';
    }
    await this.create(agent);
    return 'started';
  }

  private async launchArgs(agent: AgentLaunch): Promise<string[]> {
    const env = Object.entries(agent.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // tmux looks the program up on the server's PATH, not the pane's: with a PATH of its own, let env(1) find it.
    const argv = agent.env.PATH && !agent.argv[0]?.includes('/') ? ['env', `PATH=${agent.env.PATH}`, ...agent.argv] : agent.argv;
    return ['-c', await this.remoteDirectory(agent.workingDirectory), ...env, '--', ...argv];
  }

  private tagArgs(agent: AgentLaunch, target: string[]): string[] {
    const set = (key: string, value: string) => [';', 'set-option', '-p', ...target, key, value];
    return [
      ';', 'set-option', '-w', ...target, 'remain-on-exit', 'on',
      ...set('@mosaic_agent', agent.name),
      ...set('@mosaic_runtime', agent.runtime),
      ...set('@mosaic_profile', agent.profile),
      ...set('@mosaic_launcher', agent.launcher),
      ...set('@mosaic_started', String(Date.now())),
      ...set('@mosaic_receipt', agent.receipt ?? ''),
    ];
  }

  private async create(agent: AgentLaunch): Promise<void> {
    // remain-on-exit is set in the same command list, before tmux can process a fast crash of the program.
    await this.tmux.run(['new-session', '-d', '-s', agent.name, ...PANE_SIZE, ...(await this.launchArgs(agent)), ...this.tagArgs(agent, [])]);
  }

  /** Replace the pane's REPL, holding its send lock: a send in flight finishes first, and none starts meanwhile.
   *  False when the pane was dead but someone else revived it while we waited for the lock (the supervisor and a
   *  `start` at once): a fresh REPL is never killed to revive it a second time. */
  private async respawn(pane: PaneInfo, agent: AgentLaunch): Promise<boolean> {
    const args = [...(await this.launchArgs(agent)), ...this.tagArgs(agent, ['-t', pane.paneId])];
    return withPaneLock(this.tmux, pane, LIFECYCLE_LOCK_TIMEOUT_MS, async () => {
      if (pane.dead) {
        const now = (await this.tmux.listPanes()).find((p) => p.paneId === pane.paneId);
        if (now && !now.dead) return false;
      }
      const tree = pane.dead ? [] : await processTree(this.host, [pane.panePid]);
      await this.tmux.run(['respawn-pane', '-k', '-t', pane.paneId, ...args]);
      await reap(this.host, tree);
      return true;
    });
  }

  async waitReady(agent: AgentLaunch): Promise<void> {
    const profile = profileFor(agent.profile);
    const started = Date.now();
    const deadline = started + agent.readyTimeoutMs;
    const pane = await this.tmux.resolve(`=${agent.name}`);
    let prev: Reading | null = null;
    for (;;) {
      const obs = await observePane(this.tmux, pane.paneId);
      if (obs.dead) throw new FleetError('PANE_DEAD', `${agent.name} exited while starting`, { hint: `see its last output: mosaic-agent tail ${agent.name}` });
      const r = readPane(obs, profile);
      // A fresh REPL's input area is empty by definition: learn how it looks (a placeholder in any colour).
      // Learnt only on a steady screen (two identical readings): a half-drawn frame must never become the empty look.
      const steady = prev !== null && unchanged(prev, r);
      if (r.ready && r.drawn && !r.profileMissed && (r.input === '' || !knowsScreen(profile))) {
        if (steady) return this.learnEmpty(pane, r);
      }
      // A screen the profile cannot read (a new version), or a program that draws nothing: once steady, take it.
      if ((r.profileMissed || !r.drawn) && steadyEnough(prev, r, Date.now() - started)) return this.learnEmpty(pane, r);
      else if (r.ready && !r.profileMissed && r.input !== null && r.input !== '') return; // early input in the box: nothing to learn
      if (Date.now() > deadline) {
        throw new FleetError('TIMEOUT', `${agent.name} (${agent.runtime}) did not become ready within ${Math.round(agent.readyTimeoutMs / 1000)} s${r.dialog ? `: it shows ${r.dialog}` : ''}`, {
          hint: `look at it: mosaic-agent tail ${agent.name}; raise defaults.ready_timeout_seconds if it is just slow`,
        });
      }
      prev = r;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Remember the empty input area of a REPL we just saw start or reset (keyed by its process). */
  private learnEmpty(pane: PaneInfo, r: Reading): void {
    const key = paneKey(this.host.name, pane.socketPath, pane.paneId, r.pid);
    this.memory.learn(key, withEmptyLook(this.memory.recall(key) ?? {}, r));
  }

  private hintsFor(pane: PaneInfo): HintStore {
    const key = paneKey(this.host.name, pane.socketPath, pane.paneId, pane.panePid);
    return { recall: () => this.memory.recall(key), learn: (hints) => this.memory.learn(key, hints) };
  }

  async stop(name: string): Promise<'stopped' | 'not-running'> {
    this.paneCache = null;
    if (name === this.holderSession) throw new UsageError(`'${name}' is the holder session`, 'stop the whole fleet with `mosaic-fleet stop --all`');
    const panes = (await this.tmux.listPanes()).filter((p) => p.sessionName === name);
    if (panes.length === 0) return 'not-running';
    // Holding the send lock: a send in flight finishes first, and none starts into a REPL being stopped.
    await withPaneLock(this.tmux, panes[0]!, LIFECYCLE_LOCK_TIMEOUT_MS, async () => {
      const tree = await processTree(this.host, panes.filter((p) => !p.dead).map((p) => p.panePid));
      // The session id ($N) is exact; a name would prefix-match a sibling.
      await this.tmux.run(['kill-session', '-t', panes[0]!.sessionId]);
      await reap(this.host, tree);
    });
    return 'stopped';
  }

  async stopServer(): Promise<'stopped' | 'not-running'> {
    this.paneCache = null;
    const panes = await this.tmux.listPanes();
    if (panes.length === 0) return 'not-running';
    const tree = await processTree(this.host, panes.filter((p) => !p.dead).map((p) => p.panePid));
    await this.tmux.run(['kill-server']);
    await reap(this.host, tree);
    return 'stopped';
  }

  // Sends in a burst (broadcast, deliver) share one listing: a pane id, once known, stays valid for the pane's life,
  // and a pane that died since is caught by the delivery's own reads. Lifecycle calls drop the cache.
  private paneCache: { at: number; panes: Promise<PaneInfo[]> } | null = null;

  private recentPanes(): Promise<PaneInfo[]> {
    if (!this.paneCache || Date.now() - this.paneCache.at > 1_000) this.paneCache = { at: Date.now(), panes: this.tmux.listPanes() };
    return this.paneCache.panes;
  }

  async send(target: string, message: OutgoingMessage, options: SendOptions): Promise<SendResult> {
    const pane = await this.sendablePane(target);
    const to = { host: message.toHost, session: pane.sessionName };
    const text = buildText(message.body, message.from, to, { preamble: message.preamble, raw: Boolean(message.raw) });
    options.beforeDelivery?.(to, text);
    const profileName = message.profile ?? (await this.paneProfile(pane));
    const served = this.remoteService ? await this.viaHostService(pane, to, text, profileName, options) : null;
    if (served) return served;
    return this.deliverTo(pane, to, text, profileFor(profileName), options);
  }

  /** For the fleet service on this transport's host: deliver a text another host built (and recorded) to the pane
   *  it resolved, checked to still belong to `session`. */
  async deliverBuilt(target: { pane: string; session: string }, text: string, profileName: string | undefined, options: SendOptions): Promise<SendResult> {
    const pane = await this.sendablePane(target.pane);
    if (pane.sessionName !== target.session) {
      throw new FleetError('TARGET_NOT_FOUND', `pane ${target.pane} is no longer ${target.session} on ${this.tmux.where()} (it belongs to ${pane.sessionName})`, {
        hint: `send again: the target is looked up afresh`,
      });
    }
    return this.deliverTo(pane, { host: '', session: pane.sessionName }, text, profileFor(profileName ?? (await this.paneProfile(pane))), options);
  }

  /** Give the delivery to the fleet service running on this (remote) host, when one does; null: deliver here. */
  private async viaHostService(pane: PaneInfo, to: Endpoint, text: string, profileName: string | undefined, options: SendOptions): Promise<SendResult | null> {
    if (this.host.isLocal || !this.host.open) return null;
    const { deliverViaService } = await import('../../service/remote-client.js');
    const o = options;
    const verdict = await deliverViaService(
      this.host,
      this.tmux.socket,
      {
        target: { pane: pane.paneId, session: pane.sessionName },
        text,
        ...(profileName ? { profile: profileName } : {}),
        options: tuningOf(o),
        orphans: (o.orphansFor?.(to) ?? []).map(({ id, text, unreadSince }) => ({ id, text, ...(unreadSince !== undefined ? { unreadMs: Date.now() - unreadSince } : {}) })),
      },
      { ...(o.onEvent ? { onEvent: o.onEvent } : {}), ...(o.onOrphan ? { onOrphan: o.onOrphan } : {}), ...(o.beforePaste ? { beforePaste: o.beforePaste } : {}) },
    );
    if (!verdict) return null;
    return { status: verdict.status, to, text, enters: verdict.enters, latencyMs: verdict.latencyMs, paneId: verdict.paneId, ...(verdict.detail ? { detail: verdict.detail } : {}), ...(verdict.unread ? { unread: true } : {}), servedBy: { host: this.host.name, pid: verdict.pid } };
  }

  /** What this (remote) host's fleet service answers in place of its tmux, when one runs there; null: ask tmux. */
  private async askHostService<T>(request: CallAsk): Promise<T | null> {
    if (!this.remoteService || this.host.isLocal || !this.host.open) return null;
    const { callViaService } = await import('../../service/remote-client.js');
    const answer = await callViaService(this.host, this.tmux.socket, request);
    return answer ? (answer.value as T) : null;
  }

  /** A live agent pane for `target` (not the holder), from the shared listing. */
  private async sendablePane(target: string): Promise<PaneInfo> {
    let panes = await this.recentPanes();
    if (!panes.some((p) => p.paneId === target || p.sessionName === target.replace(/^=/, '').split(':')[0])) {
      this.paneCache = null; // not in the shared listing: look again before saying it does not exist
      panes = await this.recentPanes();
    }
    if (panes.length === 0) {
      throw new FleetError('NO_SERVER', `no tmux server is running on ${this.tmux.where()}`, {
        hint: 'start the fleet with `mosaic-fleet start`, or name the right socket with -L',
      });
    }
    const pane = resolvePane(panes, target, this.tmux.where());
    if (pane.sessionName === this.holderSession) throw new UsageError(`'${pane.sessionName}' is the fleet's holder session, not an agent`);
    if (pane.dead) {
      throw new FleetError('PANE_DEAD', `${pane.sessionName} is dead (its program ${deathOf(pane)})`, {
        hint: `revive it with \`mosaic-fleet start ${pane.sessionName}\``,
      });
    }
    return pane;
  }

  private async deliverTo(pane: PaneInfo, to: Endpoint, text: string, profile: RuntimeProfile, options: SendOptions): Promise<SendResult> {
    const orphansFor = options.orphansFor;
    const outcome = await deliver(this.tmux, pane, text, profile, {
      memory: this.hintsFor(pane),
      ...(orphansFor ? { orphans: () => orphansFor(to), onOrphan: (id, v) => options.onOrphan?.(id, v.status, v.detail) } : {}),
      ...(pane.receipt ? { receipt: new ReceiptReader(this.host, pane.receipt) } : {}),
      ...tuningOf(options),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.beforePaste ? { beforePaste: options.beforePaste } : {}),
    });
    return {
      status: outcome.status,
      to,
      text,
      enters: outcome.enters,
      latencyMs: outcome.latencyMs,
      paneId: pane.paneId,
      ...(outcome.detail ? { detail: outcome.detail } : {}),
      ...(outcome.unread ? { unread: true } : {}),
    };
  }

  /** The screen profile recorded on the pane at start (read in the same list-panes call). */
  private async paneProfile(pane: PaneInfo): Promise<string | undefined> {
    return pane.profile || pane.runtime || undefined;
  }

  async reset(target: string, command: string, options: ResetOptions): Promise<ResetResult> {
    const served = await this.askHostService<ResetResult>({ op: 'reset', target, command, options });
    if (served) return served;
    const started = Date.now();
    const pane = await this.tmux.resolve(target);
    if (pane.dead) throw new FleetError('PANE_DEAD', `${pane.sessionName} is dead`, { hint: `revive it with \`mosaic-fleet start ${pane.sessionName}\`` });
    const profile = profileFor(options.profile ?? (await this.paneProfile(pane)));
    const hints = this.hintsFor(pane);
    // The whole reset holds the send lock: no message lands between the command and the fresh conversation.
    return withPaneLock(this.tmux, pane, LIFECYCLE_LOCK_TIMEOUT_MS, async (via) => {
      const look = async () => readPane(await observePane(via, pane.paneId), profile, hints.recall() ?? {});
      const before = await look();
      // The reset command goes through the same verified path as any message (a paste that stays a draft is not a reset).
      const outcome = await deliverLocked(via, pane, command, profile, {
        ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
        holdMs: 0,
        memory: hints,
      });
      if (outcome.status !== 'submitted') {
        return { status: outcome.status, confirmed: false, detail: outcome.detail ?? `the reset command was ${outcome.status}`, latencyMs: Date.now() - started };
      }
      const deadline = Date.now() + options.confirmTimeoutMs;
      let prev: Reading | null = null;
      for (;;) {
        const after = await look();
        if (after.dead) return { status: 'failed', confirmed: false, detail: 'the agent exited after the reset command', latencyMs: Date.now() - started };
        // Fresh on two identical readings: a frame half drawn is neither proof nor a look to learn.
        if (isFresh(profile, before, after, command) && prev !== null && unchanged(prev, after)) {
          this.learnEmpty(pane, after);
          return { status: 'submitted', confirmed: true, latencyMs: Date.now() - started };
        }
        prev = after;
        if (Date.now() > deadline) {
          return { status: 'submitted', confirmed: false, detail: `no fresh conversation showed within ${Math.round(options.confirmTimeoutMs / 1000)} s`, latencyMs: Date.now() - started };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    });
  }

  async recover(target: string, text: string): Promise<'submitted' | 'queued' | 'draft' | 'unconfirmed' | 'landed' | 'absent'> {
    const served = await this.askHostService<Awaited<ReturnType<TmuxTransport['recover']>>>({ op: 'recover', target, text });
    if (served) return served;
    const pane = await this.tmux.resolve(target);
    if (pane.dead) throw new FleetError('PANE_DEAD', `${pane.sessionName} is dead`);
    const profile = profileFor(await this.paneProfile(pane));
    return withPaneLock(this.tmux, pane, LIFECYCLE_LOCK_TIMEOUT_MS, async (via) => {
      const finished = await finishIfInBox(via, pane, text, profile, { memory: this.hintsFor(pane) });
      if (finished) return finished.status === 'held' || finished.status === 'failed' ? 'unconfirmed' : finished.status;
      const r = readPane(await observePane(via, pane.paneId), profile, this.hintsFor(pane).recall() ?? {});
      // Still in the box but not alone there (someone typed on): it was not taken, and is not ours to finish.
      if (holdsBody(r.input, text, profile.pastePlaceholders)) return 'draft';
      // Landed only if the whole text shows in the transcript above the input area now.
      if (countCopies(r.transcript, text) > 0) return 'landed';
      // Rows as drawn (not joined): the last screen-height rows are the visible screen, read above. tmux keeps old
      // frames in the scrollback (a REPL that clears its screen pushes it there), so a copy found only there may be
      // a frame that showed it in the input box; and a queued message is drawn by its first line only. Either way it
      // may well have landed, so it is never pasted again, but that is no proof it was taken.
      const rows = (await via.run(['capture-pane', '-p', '-S', '-5000', '-t', pane.paneId])).replace(/\n$/, '').split('\n');
      const scrollback = rows.slice(0, Math.max(0, rows.length - r.screen.lines.length)).join('\n');
      const outside = `${scrollback}\n${r.transcript}`;
      return countCopies(outside, text) > 0 || showsOpening(outside, text) ? 'unconfirmed' : 'absent';
    });
  }

  async attachCommand(target: string): Promise<string[]> {
    const pane = await this.tmux.resolve(target);
    // Attach by session id and select the pane by id: no name matching left to tmux.
    const { name, path } = this.tmux.socket;
    const socket = path ? ['-S', path] : name ? ['-L', name] : [];
    const local = ['tmux', ...socket, 'attach-session', '-t', pane.sessionId, ';', 'select-pane', '-t', pane.paneId];
    return this.host.isLocal ? local : ['ssh', '-t', ...(this.host as { connectionArgs?: () => string[] }).connectionArgs?.() ?? [], (this.host as { destination?: string }).destination ?? this.host.name, '--', ...local];
  }

  /** `direct`: ask tmux even when the host runs a service (a loop that looks again and again). */
  async tail(target: string, lines: number | 'all', options: { direct?: boolean } = {}): Promise<string> {
    const served = options.direct ? null : await this.askHostService<string>({ op: 'tail', target, lines });
    if (served !== null) return served;
    const pane = await this.tmux.resolve(target);
    const text = await this.tmux.captureHistory(pane.paneId, lines);
    const rows = text.replace(/\n+$/, '').split('\n');
    return (lines === 'all' ? rows : rows.slice(-lines)).join('\n');
  }

  async inspect(target: string, profileName?: string): Promise<{ ready: boolean; busy: boolean; input: string | null; transcript: string }> {
    const served = await this.askHostService<Awaited<ReturnType<TmuxTransport['inspect']>>>({ op: 'inspect', target, ...(profileName ? { profile: profileName } : {}) });
    if (served) return served;
    const pane = await this.tmux.resolve(target);
    const obs = await observePane(this.tmux, pane.paneId);
    const r = readPane(obs, profileFor(profileName ?? (await this.paneProfile(pane))), this.hintsFor(pane).recall() ?? {});
    return { ready: r.ready && !obs.dead, busy: r.busy, input: r.input, transcript: r.transcript };
  }

  describe(): string {
    return describeSocket(this.tmux.socket);
  }
}

/** A fresh conversation after a reset: the profile's own test, or for a screen it cannot read, an empty input area
 *  and none of the conversation's last rows left above it. */
function isFresh(profile: RuntimeProfile, before: Reading, after: Reading, command: string): boolean {
  if (!after.ready || after.input !== '') return false;
  if (after.reader === 'profile' && before.reader === 'profile') {
    const st = profile.parse(after.screen);
    return profile.isFreshAfterReset(profile.parse(before.screen), st) && st.ready && st.input === '';
  }
  const old = before.transcript.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.includes(command)).slice(-3);
  if (old.length === 0) return after.emptyShown;
  const now = new Set(after.transcript.split('\n').map((l) => l.trim()));
  return after.emptyShown && old.every((l) => !now.has(l));
}

function firstPanePerSession<P extends Pick<PaneInfo, 'sessionName' | 'windowActive' | 'paneActive'>>(panes: P[]): Map<string, P> {
  const map = new Map<string, P>();
  for (const p of panes) {
    const prev = map.get(p.sessionName);
    if (!prev || (p.windowActive && p.paneActive && !(prev.windowActive && prev.paneActive))) map.set(p.sessionName, p);
  }
  return map;
}

function missingStatus(name: string, host: string): AgentStatus {
  return {
    name,
    host,
    state: 'missing',
    inRoster: true,
    runtime: 'unknown',
    launcher: 'unknown',
    pid: null,
    paneId: null,
    exitStatus: null,
    exitSignal: null,
    startedAt: null,
  };
}

/** How a dead pane's program ended, in words. */
export function deathOf(pane: { deadStatus: number | null; deadSignal: number | null }): string {
  if (pane.deadSignal) return `was killed by signal ${pane.deadSignal}`;
  return pane.deadStatus === null ? 'has exited' : `exited with status ${pane.deadStatus}`;
}

const TUNING = ['verifyTimeoutMs', 'maxEnters', 'readyTimeoutMs', 'holdMs', 'whenIdleMs', 'lockTimeoutMs'] as const;

/** The delivery timings a caller set (the rest keep deliver's defaults), for this host's loop or its service's. */
function tuningOf(options: SendOptions): Pick<SendOptions, (typeof TUNING)[number]> {
  const out: Pick<SendOptions, (typeof TUNING)[number]> = {};
  for (const key of TUNING) if (options[key] !== undefined) out[key] = options[key];
  return out;
}
