// The fleet service (`mosaic-fleet serve`): one per roster on this host. It holds one tmux control-mode connection,
// runs the commands thin clients send it (send, status, ...) in-process over that connection, gives each pane its
// senders in arrival order, delivers queued messages, supervises the agents and publishes what happens.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Context, type CommonOptions, type SharedState } from '../core/context.js';
import { ledgerDir, ledgerOf } from '../core/ledger.js';
import { pause } from '../core/pause.js';
import { FleetError } from '../errors.js';
import type { Host } from '../host/types.js';
import { withInvocation, type Invocation } from '../invocation.js';
import { packageVersion } from '../paths.js';
import { describeSocket, type SocketSpec } from '../tmux/client.js';
import { EventHub } from './events.js';
import { ServiceHost, type TmuxConnection } from './host.js';
import { LockPool } from '../host/lock-pool.js';
import { encode, lineReader, PROTOCOL, type ClientMessage, type ServiceMessage } from './protocol.cjs';
import { SERVED } from './client.cjs';
import { PaneQueues } from './queue.js';
import { handleCall, handleDeliver, linkTmuxAlias, unlinkTmuxAlias } from './remote.js';
import { serviceDir, serviceLockKey, servicePidPath, serviceSocketPath } from './paths.cjs';

export interface ServeOptions {
  /** Seconds between passes over queued messages. */
  deliverIntervalMs?: number;
  /** Between looks at every agent's state (events and supervision). */
  watchIntervalMs?: number;
  log?: (line: string) => void;
  /** Connects the control-mode client; tests and hosts without one pass null (every tmux call then forks). */
  connect?: ((socket: SocketSpec, session: string) => Promise<ControlConnection>) | null;
  /** Supervision of the agents (the roster's restart policies); omitted: none. */
  supervise?: (ctx: Context, publish: (kind: string, fields: Record<string, unknown>) => void) => { tick(): Promise<void>; settle(): Promise<void> };
}

/** A control-mode connection as the service uses it. */
export interface ControlConnection extends TmuxConnection {
  close(): Promise<void>;
  /** Resolves when the connection ends (the server went away, or close()). */
  readonly closed: Promise<unknown>;
}

/** What a request runs in: the service's context identity. */
interface Identity {
  roster: string;
  socket: string;
  ledger: string;
}

export class FleetService {
  readonly hub = new EventHub();
  readonly queues = new PaneQueues();
  private readonly locks = new LockPool();
  readonly ctx: Context;
  private connection: ControlConnection | null = null;
  private server: Server | null = null;
  private readonly running = new Set<Promise<unknown>>();
  private readonly requests = new Set<Request>();
  private readonly clients = new Set<Socket>();
  private identity!: Identity;
  private lock: { release(): Promise<void> } | null = null;
  private readonly stopping = new AbortController();
  private markServerGone!: () => void;
  private settleSupervisor: () => Promise<void> = () => Promise.resolve();
  private readonly serverGone = new Promise<void>((resolve) => (this.markServerGone = resolve));
  private readonly log: (line: string) => void;

  constructor(
    base: Context,
    private readonly options: ServeOptions = {},
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    const socket = base.socket();
    const shared: SharedState = {
      transports: new Map(),
      wrapHost: (host: Host) =>
        new ServiceHost({
          base: host,
          queues: this.queues,
          ...(host.isLocal ? { connection: () => this.connection, socket, locks: this.locks } : {}),
        }),
    };
    this.ctx = new Context(base.options, base.env, shared);
  }

  get socketPath(): string {
    return serviceSocketPath(this.ctx.rosterPath(), this.ctx.env);
  }

  /** Take the fleet (one service per roster), connect to tmux, listen. Throws SERVICE_RUNNING if another has it. */
  async start(): Promise<void> {
    await this.ctx.prepare();
    await this.ctx.reloadRoster();
    const rosterPath = this.ctx.rosterPath();
    this.identity = { roster: rosterPath, socket: socketKey(this.ctx.socket()), ledger: ledgerDir(this.ctx.env) };
    mkdirSync(serviceDir(this.ctx.env), { recursive: true, mode: 0o700 });
    this.lock = await this.takeLock(rosterPath);
    try {
      const transport = this.ctx.transport('local');
      await transport.ensureHolder();
      await this.connect();
      await this.listen();
      linkTmuxAlias(this);
      writeFileSync(servicePidPath(rosterPath, this.ctx.env), `${process.pid}\n`, { mode: 0o600 });
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.hub.publish('service', { state: 'started', pid: process.pid, version: packageVersion(), socket: this.socketPath });
    this.log(`mosaic-fleet serve: pid ${process.pid}, ${describeSocket(this.ctx.socket())}, roster ${rosterPath}, listening on ${this.socketPath}`);
  }

  /** Serve until `signal` aborts or the tmux server goes away (then reject, so systemd restarts us with the holder). */
  async run(signal: AbortSignal): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // The control connection ends with the server; without one, the watcher's look finds no server.
    const lostServer = Promise.race([this.connection ? this.connection.closed : new Promise<never>(() => undefined), this.serverGone]).then(() => 'lost' as const);
    const loops = [this.loop('deliver', this.options.deliverIntervalMs ?? 2_000, () => this.deliverPass()), this.loop('watch', this.options.watchIntervalMs ?? 1_000, this.watcher())];
    const outcome = await Promise.race([stopped.then(() => 'stopped' as const), lostServer]);
    this.stopping.abort();
    await Promise.allSettled(loops);
    await this.settleSupervisor();
    await this.stop();
    if (outcome === 'lost') {
      throw new FleetError('NO_SERVER', `the tmux server on ${describeSocket(this.ctx.socket())} went away; the service stops`, {
        hint: 'under systemd it is restarted, and `systemctl --user restart mosaic-tmux-holder.service` brings the server back inside the holder; by hand: `mosaic-fleet start`, then `mosaic-fleet serve`',
      });
    }
  }

  /** Stop listening, let commands in flight finish (a delivery is never cut in half), release everything. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    // Followers (tail --follow, log --follow) stop now; a send in flight ignores the signal and finishes.
    for (const request of this.requests) request.abort();
    await Promise.allSettled([...this.running]);
    for (const client of this.clients) client.destroy();
    this.locks.close();
    const connection = this.connection;
    this.connection = null;
    await connection?.close().catch(() => undefined);
    if (this.lock) {
      unlinkTmuxAlias(this);
      rmSync(this.socketPath, { force: true });
      rmSync(servicePidPath(this.ctx.rosterPath(), this.ctx.env), { force: true });
      await this.lock.release();
      this.lock = null;
    }
  }

  private async takeLock(rosterPath: string): Promise<{ release(): Promise<void> }> {
    try {
      return await this.ctx.localHost.lock(serviceLockKey(rosterPath), 1_000);
    } catch (error) {
      if (!(error instanceof FleetError) || error.code !== 'LOCK_TIMEOUT') throw error;
      const pid = readPid(servicePidPath(rosterPath, this.ctx.env));
      throw new FleetError('SERVICE_RUNNING', `another mosaic-fleet serve${pid ? ` (pid ${pid})` : ''} already serves the roster ${rosterPath}`, {
        hint: 'one service per roster and host: stop that one first, or leave it running (clients use it)',
      });
    }
  }

  private async connect(): Promise<void> {
    // Without a connector (tests, diagnosis) every tmux call forks, as on the direct path.
    const connect = this.options.connect;
    if (!connect) return;
    try {
      this.connection = await connect(this.ctx.socket(), this.ctx.holderSession());
    } catch (error) {
      // Still a correct service, only slower: every tmux call forks, as on the direct path.
      this.log(`no tmux control-mode connection (${error instanceof Error ? error.message : String(error)}): each tmux command runs as its own process`);
    }
  }

  private async listen(): Promise<void> {
    const path = this.socketPath;
    // We hold the lock, so a socket file left here belongs to a service that died: stale.
    rmSync(path, { force: true });
    const server = createServer((socket) => this.accept(socket));
    const umask = process.umask(0o077);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
    } finally {
      process.umask(umask);
    }
    chmodSync(path, 0o600);
    this.server = server;
  }

  private accept(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => undefined);
    const send = (m: ServiceMessage) => {
      if (!socket.destroyed) socket.write(encode(m));
    };
    let greeted = false;
    let refused = false;
    let request: Request | null = null;
    const handle = (m: ClientMessage): void => {
      // Only the commands a thin client sends are run here (never serve, attach, top, start, ...): anything else is
      // the client's to run itself.
      if (m.type === 'run' && !request && !SERVED[m.bin]?.has(m.argv[0] ?? '')) {
        send({ type: 'fallback', reason: `mosaic-${m.bin} ${m.argv[0] ?? ''} is not run by the service` });
        socket.end();
      } else if (m.type === 'run' && !request) {
        const current = (request = new Request(this, m, send, () => socket.end()));
        this.requests.add(current);
        const done = current.run();
        this.running.add(done);
        void done.finally(() => {
          this.running.delete(done);
          this.requests.delete(current);
        });
        socket.on('close', () => request?.abort());
      } else if ((m.type === 'deliver' || m.type === 'call') && !request) {
        const done = (m.type === 'deliver' ? handleDeliver(this, m, send) : handleCall(this, m, send)).finally(() => socket.end());
        this.running.add(done);
        void done.finally(() => this.running.delete(done));
      } else if (m.type === 'subscribe') {
        for (const event of this.hub.history()) send({ type: 'event', event });
        const off = this.hub.subscribe((event) => send({ type: 'event', event }));
        socket.on('close', off);
      } else if (m.type === 'stdin') request?.feed(m.data);
      else if (m.type === 'stdin-end') request?.feed(null);
    };
    socket.on(
      'data',
      lineReader((raw) => {
        const m = raw as ClientMessage;
        // A refused client's further lines (a run sent before our answer) are never acted on.
        if (refused) return;
        if (!greeted) {
          if (m.type !== 'hello') return void socket.destroy();
          greeted = true;
          if (m.protocol !== PROTOCOL || m.version !== packageVersion()) {
            refused = true;
            this.log(`refused a client of mosaic-fleet ${m.version} (protocol ${m.protocol}); this service is ${packageVersion()} (protocol ${PROTOCOL})`);
            send({ type: 'refused', reason: 'version', message: `the fleet service (pid ${process.pid}) runs mosaic-fleet ${packageVersion()} (protocol ${PROTOCOL}), this client is ${m.version} (protocol ${m.protocol})` });
            return void socket.end();
          }
          send({ type: 'hello', protocol: PROTOCOL, version: packageVersion(), pid: process.pid, roster: this.identity.roster, socket: this.identity.socket, ...(m.run ? { running: true } : {}) });
          if (m.run) handle({ type: 'run', ...m.run });
          return;
        }
        handle(m);
      }),
    );
  }

  /** A context for one command: the service's shared tmux connection, queues and ledger, the client's environment.
   *  A command line that names another fleet (roster, socket, ledger) is not ours to run: the client runs it. */
  async contextFor(opts: CommonOptions, env: NodeJS.ProcessEnv): Promise<Context> {
    const ctx = new Context(commonOnly(opts), env, this.ctx.shared);
    const identity = { roster: ctx.rosterPath(), ledger: ledgerDir(env) };
    if (identity.roster !== this.identity.roster || identity.ledger !== this.identity.ledger) throw new NotServed('another roster or ledger');
    if (!ctx.adoptRoster(this.ctx)) await ctx.prepare();
    if (socketKey(ctx.socket()) !== this.identity.socket) throw new NotServed('another tmux socket');
    return ctx;
  }

  private async deliverPass(): Promise<void> {
    const { deliverPending } = await import('../core/deliver-pending.js');
    const r = await deliverPending(this.ctx);
    for (const d of r.delivered) this.hub.publish('message', { step: 'delivered', id: d.id, to: d.to, status: d.outcome, ...(d.detail ? { detail: d.detail } : {}) });
    for (const id of r.expired) this.hub.publish('message', { step: 'expired', id });
  }

  /** Each look: agent state changes, ledger status changes (whoever made them), and the supervisor's turn. */
  private watcher(): () => Promise<void> {
    const states = new Map<string, string>();
    const statuses = new Map<string, string>();
    const since = new Date(Date.now() - 60_000);
    const supervisor = this.options.supervise?.(this.ctx, (kind, fields) => this.hub.publish(kind, fields));
    this.settleSupervisor = () => supervisor?.settle() ?? Promise.resolve();
    return async () => {
      // An edited roster takes effect on the next look (a broken edit is reported and the last good one kept).
      const reloaded = await this.ctx.reloadRoster().catch((error: unknown) => {
        this.log(`roster: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}; keeping the last good one`);
        return false;
      });
      if (reloaded) this.hub.publish('service', { state: 'roster-reloaded', roster: this.ctx.rosterPath() });
      const overview = await this.ctx.transport('local').overview(this.ctx.roster(false)?.agents.filter((a) => (a.host ?? 'local') === 'local').map((a) => a.name) ?? []);
      if (overview.holder === 'no-server') return this.markServerGone();
      for (const a of overview.agents) {
        const key = `${a.host}:${a.name}`;
        const was = states.get(key);
        if (was !== a.state) {
          states.set(key, a.state);
          if (was !== undefined || a.state !== 'idle') this.hub.publish('agent', { agent: a.name, host: a.host, state: a.state, ...(was ? { was } : {}), ...(a.state === 'dead' ? { exitStatus: a.exitStatus, exitSignal: a.exitSignal } : {}) });
        }
      }
      for (const r of ledgerOf(this.ctx).list({ since })) {
        if (statuses.get(r.id) === r.status) continue;
        statuses.set(r.id, r.status);
        this.hub.publish('message', { step: 'status', id: r.id, kind: r.kind, from: `${r.from.host}:${r.from.session}`, to: `${r.to.host}:${r.to.session}`, status: r.status });
      }
      await supervisor?.tick();
    };
  }

  private async loop(name: string, everyMs: number, pass: () => Promise<void>): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await pass();
      } catch (error) {
        if (!signal.aborted) this.log(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await pause(everyMs, signal);
    }
  }

  publish(kind: string, fields: Record<string, unknown>): void {
    this.hub.publish(kind, fields);
  }
}

/** Not this service's fleet: the client runs the command itself. */
class NotServed extends Error {}

/** One client's command line, run in-process with the client's streams, environment and working directory. */
class Request {
  private readonly abortController = new AbortController();
  private readonly stdin: Readable;
  private stdinAsked = false;
  /** Output is held back until the command has its context: a command that turns out not to be ours leaves no trace. */
  private held: ServiceMessage[] | null = [];
  private notServed: string | null = null;

  constructor(
    private readonly service: FleetService,
    private readonly message: Extract<ClientMessage, { type: 'run' }>,
    private readonly send: (m: ServiceMessage) => void,
    private readonly end: () => void,
  ) {
    this.stdin = new Readable({
      read: () => {
        if (this.stdinAsked) return;
        this.stdinAsked = true;
        this.emit({ type: 'stdin' });
      },
    });
    (this.stdin as Readable & { isTTY?: boolean }).isTTY = message.tty.stdin;
  }

  feed(data: string | null): void {
    this.stdin.push(data);
  }

  abort(): void {
    this.abortController.abort();
  }

  async run(): Promise<void> {
    const { message } = this;
    const inv: Invocation = {
      out: (data) => this.emit({ type: 'out', data }),
      err: (data) => this.emit({ type: 'err', data }),
      env: message.env,
      cwd: message.cwd,
      stdin: this.stdin,
      stdoutIsTTY: message.tty.stdout,
      stderrIsTTY: message.tty.stderr,
      signal: this.abortController.signal,
      exitCode: undefined,
      context: async (opts) => {
        try {
          const ctx = await this.service.contextFor(opts, message.env);
          this.release();
          return ctx;
        } catch (error) {
          if (error instanceof NotServed) this.notServed = error.message;
          throw error;
        }
      },
      onDeliveryEvent: (event) => this.service.publish('message', { ...event, step: event.kind }),
      subscribe: (listener) => this.service.hub.subscribe(listener),
    };
    let code: number;
    try {
      const { fleetProgram, agentProgram } = await import('../cli/programs.js');
      const { runProgram } = await import('../cli/program.js');
      const program = message.bin === 'agent' ? agentProgram() : fleetProgram();
      code = await withInvocation(inv, () => runProgram(program, ['node', `mosaic-${message.bin}`, ...message.argv]));
    } catch (error) {
      const { reportError } = await import('../cli/io.js');
      code = reportError(error, { out: inv.out, err: inv.err }, message.argv.includes('--json'));
    }
    if (this.notServed !== null) this.send({ type: 'fallback', reason: this.notServed });
    else {
      this.release();
      this.send({ type: 'exit', code });
    }
    this.end();
  }

  private emit(m: ServiceMessage): void {
    if (this.held) this.held.push(m);
    else this.send(m);
  }

  private release(): void {
    const held = this.held;
    this.held = null;
    for (const m of held ?? []) this.send(m);
  }
}

function commonOnly(opts: CommonOptions): CommonOptions {
  return {
    ...(opts.socket ? { socket: opts.socket } : {}),
    ...(opts.socketPath ? { socketPath: opts.socketPath } : {}),
    ...(opts.roster ? { roster: opts.roster } : {}),
  };
}

function socketKey(socket: SocketSpec): string {
  return socket.path ? `path:${socket.path}` : `name:${socket.name ?? ''}`;
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}
