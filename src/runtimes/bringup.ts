// First-run setup for running the real agent CLIs offline against a local API (the mock LLM) with a dummy key.
// Each function prepares an isolated HOME so the client starts straight into its input box (no onboarding,
// login, trust or API-key dialogs) and returns the env + argv to launch it in a tmux pane (argv, no shell).
// See /work/shared/research/real-clients.md §1 for why each setting is needed.
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '../exec/run.js';

export type ClientName = 'claude' | 'codex' | 'pi' | 'opencode' | 'gemini';
export const CLIENT_NAMES: readonly ClientName[] = ['claude', 'codex', 'pi', 'opencode', 'gemini'];

export interface BringupOptions {
  /** Isolated HOME for the client (created if missing). */
  home: string;
  /** Directory the agent works in; it is marked trusted. */
  workdir: string;
  /** API base URL without `/v1`, e.g. http://127.0.0.1:18080. */
  baseUrl: string;
  /** Dummy key; the mock accepts anything. */
  apiKey?: string;
  /** Directory with the client executables (default: clientsBinDir()). */
  binDir?: string;
}

export interface Bringup {
  /** Complete environment for the pane (pass each as `tmux new-session -e K=V`). */
  env: Record<string, string>;
  /** argv for `tmux new-session ... -- argv...`. */
  argv: string[];
}

export const DUMMY_ANTHROPIC_KEY = 'sk-ant-api03-mosaic-fleet-offline-dummy-key-0000000000-dumy';
export const DUMMY_OPENAI_KEY = 'sk-proj-mosaic-fleet-offline-dummy-key-0000000000';
export const DUMMY_GEMINI_KEY = 'mosaic-fleet-offline-dummy-gemini-key-0000000000';

/** Which client versions the suite and the bench run: the pins (default) or, with CLIENTS=latest, the latest
 *  published versions, installed by scripts/clients/install.sh into a cache of their own. */
export function clientsMode(env: NodeJS.ProcessEnv = process.env): 'pinned' | 'latest' {
  return env.CLIENTS === 'latest' ? 'latest' : 'pinned';
}

/** Where scripts/clients/install.sh puts the CLIs (same rule as the script: MOSAIC_CLIENTS_DIR wins). */
export function clientsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MOSAIC_CLIENTS_DIR || join(homedir(), '.cache', 'mosaic-fleet', clientsMode(env) === 'latest' ? 'clients-latest' : 'clients');
}

/** npm package of each client, for reading the installed version. */
export const CLIENT_PACKAGES: Record<ClientName, string> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  pi: '@mariozechner/pi-coding-agent',
  opencode: 'opencode-ai',
  gemini: '@google/gemini-cli',
};

/** The installed version of `client` in the clients cache, or null when it is not installed. */
export function installedClientVersion(client: ClientName, dir = clientsDir()): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', CLIENT_PACKAGES[client], 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export function clientsBinDir(): string {
  return join(clientsDir(), 'node_modules', '.bin');
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Env every client gets: isolated HOME and XDG dirs, a PATH with the clients and this node, UTF-8 locale. */
function baseEnv(opts: BringupOptions, binDir: string): Record<string, string> {
  const h = opts.home;
  return {
    HOME: h,
    PATH: [binDir, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    XDG_CONFIG_HOME: join(h, '.config'),
    XDG_DATA_HOME: join(h, '.local', 'share'),
    XDG_CACHE_HOME: join(h, '.cache'),
    XDG_STATE_HOME: join(h, '.local', 'state'),
  };
}

function prepare(opts: BringupOptions): { binDir: string; workdir: string } {
  mkdirSync(opts.home, { recursive: true });
  mkdirSync(opts.workdir, { recursive: true });
  // Clients key trust by the resolved cwd, and tmp dirs are often symlinked.
  return { binDir: opts.binDir ?? clientsBinDir(), workdir: realpathSync(opts.workdir) };
}

// ---------- Claude Code ----------

/** ~/.claude.json that skips onboarding (its connectivity check exits offline), the trust and the API-key dialogs. */
export function claudeConfig(workdir: string, apiKey: string, version = '2.1.197') {
  return {
    numStartups: 5, // compact header instead of the big welcome panel
    hasCompletedOnboarding: true,
    lastOnboardingVersion: version,
    theme: 'dark',
    customApiKeyResponses: { approved: [apiKey.slice(-20)], rejected: [] }, // approval is keyed by the key's last 20 chars
    bypassPermissionsModeAccepted: true,
    autoUpdates: false,
    projects: { [workdir]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
  };
}

export async function bringUpClaude(opts: BringupOptions): Promise<Bringup> {
  const { binDir, workdir } = prepare(opts);
  const apiKey = opts.apiKey ?? DUMMY_ANTHROPIC_KEY;
  writeJson(join(opts.home, '.claude.json'), claudeConfig(workdir, apiKey));
  const env: Record<string, string> = {
    ...baseEnv(opts, binDir),
    ANTHROPIC_API_KEY: apiKey,
    ANTHROPIC_BASE_URL: opts.baseUrl,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0', // API errors show at once instead of ~3 min of retries
  };
  if (isRoot()) env.IS_SANDBOX = '1'; // --dangerously-skip-permissions is refused as root without it
  return { env, argv: [join(binDir, 'claude'), '--dangerously-skip-permissions'] };
}

// ---------- Codex CLI ----------

function tomlString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid TOML basic string
}

export function codexConfigToml(workdir: string, baseUrl: string): string {
  return [
    'check_for_update_on_startup = false',
    'model_provider = "mock"',
    '',
    '[model_providers.mock]',
    'name = "mock"',
    `base_url = ${tomlString(baseUrl.replace(/\/$/, '') + '/v1')}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    // Without these a 401 is retried ~11 times over ~6 s before the error shows (like CLAUDE_CODE_MAX_RETRIES=0).
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    `[projects.${tomlString(workdir)}]`,
    'trust_level = "trusted"',
    '',
  ].join('\n');
}

export async function bringUpCodex(opts: BringupOptions): Promise<Bringup> {
  const { binDir, workdir } = prepare(opts);
  const apiKey = opts.apiKey ?? DUMMY_OPENAI_KEY;
  const codexHome = join(opts.home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfigToml(workdir, opts.baseUrl));
  const env: Record<string, string> = { ...baseEnv(opts, binDir), CODEX_HOME: codexHome, OPENAI_API_KEY: apiKey };
  // OPENAI_API_KEY alone still shows the login chooser; a stored API-key login skips it. Key goes on stdin.
  const login = await run([join(binDir, 'codex'), 'login', '--with-api-key'], { input: apiKey, env, cwd: workdir, timeoutMs: 60_000 });
  if (login.code !== 0) {
    throw new Error(`codex login --with-api-key failed (${login.code ?? login.signal}): ${login.stderr.trim() || login.stdout.trim()}`);
  }
  // --no-daemon: run the app server in-process, so nothing outlives the pane.
  return { env, argv: [join(binDir, 'codex'), '--no-daemon'] };
}

// ---------- Pi ----------

export async function bringUpPi(opts: BringupOptions): Promise<Bringup> {
  const { binDir } = prepare(opts);
  const apiKey = opts.apiKey ?? DUMMY_ANTHROPIC_KEY;
  writeJson(join(opts.home, '.pi', 'agent', 'models.json'), { providers: { anthropic: { baseUrl: opts.baseUrl } } });
  const env: Record<string, string> = {
    ...baseEnv(opts, binDir),
    ANTHROPIC_API_KEY: apiKey,
    PI_OFFLINE: '1', // skip the fd/ripgrep downloads at startup
  };
  return { env, argv: [join(binDir, 'pi')] };
}

// ---------- OpenCode ----------

export function opencodeConfig(baseUrl: string) {
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: { anthropic: { options: { baseURL: baseUrl.replace(/\/$/, '') + '/v1' } } },
    autoupdate: false,
    share: 'disabled',
  };
}

export async function bringUpOpencode(opts: BringupOptions): Promise<Bringup> {
  const { binDir } = prepare(opts);
  const apiKey = opts.apiKey ?? DUMMY_ANTHROPIC_KEY;
  const env: Record<string, string> = {
    ...baseEnv(opts, binDir),
    ANTHROPIC_API_KEY: apiKey,
    // Offline, the models.dev fetch at startup waits for a DNS failure (~4 s); the bundled model list is enough.
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
  };
  writeJson(join(env.XDG_CONFIG_HOME!, 'opencode', 'opencode.json'), opencodeConfig(opts.baseUrl));
  return { env, argv: [join(binDir, 'opencode')] };
}

// ---------- Gemini CLI ----------

/** ~/.gemini/settings.json: API-key auth chosen (no auth dialog), folder trust off (no trust dialog), no update
 *  check, no usage statistics, no IDE nudge. Keys from the settings reference in the package's bundle/docs. */
export function geminiSettings() {
  return {
    security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    ide: { enabled: false },
  };
}

export async function bringUpGemini(opts: BringupOptions): Promise<Bringup> {
  const { binDir } = prepare(opts);
  writeJson(join(opts.home, '.gemini', 'settings.json'), geminiSettings());
  const env: Record<string, string> = {
    ...baseEnv(opts, binDir),
    GEMINI_API_KEY: opts.apiKey ?? DUMMY_GEMINI_KEY,
    // The Gemini API client appends /v1beta/models/<model>:<method> to this base.
    GOOGLE_GEMINI_BASE_URL: opts.baseUrl.replace(/\/$/, ''),
  };
  return { env, argv: [join(binDir, 'gemini')] };
}

const BRINGUPS: Record<ClientName, (opts: BringupOptions) => Promise<Bringup>> = {
  claude: bringUpClaude,
  codex: bringUpCodex,
  pi: bringUpPi,
  opencode: bringUpOpencode,
  gemini: bringUpGemini,
};

/** Prepare `client` to run offline against `opts.baseUrl`; returns what to launch in the pane. */
export function bringUp(client: ClientName, opts: BringupOptions): Promise<Bringup> {
  return BRINGUPS[client](opts);
}
