// The guide cannot drift: every runnable block in docs/ runs, in order, against the built CLI in a sandbox, and every
// `expected` block must match what the tool really printed. See test/docs/fences.ts for the block syntax.
//
// Sandbox per docs file: temp HOME and MOSAIC_HOME, a private TMUX_TMPDIR (so even tmux's "default" server is a
// private one), MOSAIC_TMUX_SOCKET set to a random socket, an empty XDG_RUNTIME_DIR and no D-Bus address (so
// `systemctl --user` never reaches a real user manager), and a bin dir on PATH whose `mosaic-fleet` / `mosaic-agent`
// shims exec the built dist/. Blocks share exported variables, the working directory and files, in order. Afterwards
// every tmux server in that private TMUX_TMPDIR (and nothing else) is killed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { fleetCommands, isRunnable, markdownFiles, missingExpected, readFences, stepsOf, type Fence, type Step } from './fences.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const BIN = { fleet: join(ROOT, 'dist', 'cli', 'fleet-bin.js'), agent: join(ROOT, 'dist', 'cli', 'agent-bin.js') };
const FILES = markdownFiles(ROOT, DOCS);
const SKIP_EXPECTED = 'doc-test: skip-expected';

interface Sandbox {
  root: string;
  env: NodeJS.ProcessEnv;
  state: string;
  work: string;
  tmuxDir: string;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function sandbox(): Sandbox {
  // Short: tmux socket paths must fit in 107 bytes.
  const root = mkdtempSync(join(tmpdir(), 'mfdoc-'));
  const dirs = { home: join(root, 'h'), bin: join(root, 'bin'), tmux: join(root, 't'), run: join(root, 'run'), state: join(root, 's'), work: join(root, 'w') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  for (const [name, file] of [['mosaic-fleet', BIN.fleet], ['mosaic-agent', BIN.agent]] as const) {
    writeFileSync(join(dirs.bin, name), `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(file)} "$@"\n`);
    chmodSync(join(dirs.bin, name), 0o755);
  }
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TMUX|TMUX_PANE|TMUX_TMPDIR|DBUS_SESSION_BUS_ADDRESS|SSH_AUTH_SOCK|VITEST.*|npm_.*|NODE_OPTIONS)$/.test(k) || k.startsWith('MOSAIC_') || k.startsWith('XDG_')) continue;
    env[k] = v;
  }
  Object.assign(env, {
    HOME: dirs.home,
    MOSAIC_HOME: join(dirs.home, '.config', 'mosaic'),
    TMUX_TMPDIR: dirs.tmux,
    MOSAIC_TMUX_SOCKET: `mfdoc-${randomBytes(4).toString('hex')}`,
    XDG_RUNTIME_DIR: dirs.run,
    PATH: `${dirs.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    NO_COLOR: '1',
    LC_ALL: 'C.UTF-8',
  });
  writeFileSync(join(dirs.state, 'cwd'), dirs.work);
  writeFileSync(join(dirs.state, 'env'), '');
  return { root, env, state: dirs.state, work: dirs.work, tmuxDir: dirs.tmux };
}

/** Kill every tmux server whose socket lives in the sandbox's private TMUX_TMPDIR: ours, and only ours. */
function teardown(box: Sandbox): void {
  const uidDir = join(box.tmuxDir, `tmux-${process.getuid?.() ?? 0}`);
  if (existsSync(uidDir)) {
    for (const name of readdirSync(uidDir)) spawnSync('tmux', ['-S', join(uidDir, name), 'kill-server'], { stdio: 'ignore', timeout: 10_000 });
  }
  rmSync(box.root, { recursive: true, force: true });
}

function runBlock(box: Sandbox, fence: Fence, timeoutSeconds: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  const script = join(box.state, 'block.sh');
  const s = shQuote(box.state);
  writeFileSync(
    script,
    [
      `. ${s}/env`,
      `cd "$(cat ${s}/cwd)"`,
      'exec 2>&1',
      // What the next block inherits: exported variables and the working directory, saved only on success.
      `trap '__rc=$?; if [ $__rc -eq 0 ]; then export -p | grep -Ev "^declare -x (PWD|OLDPWD|SHLVL|_)=" > ${s}/env.next; pwd > ${s}/cwd.next; fi; exit $__rc' EXIT`,
      fence.text,
      '',
    ].join('\n'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', script], { cwd: box.work, env: box.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The block's own process group only (started detached above).
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        renameSync(join(box.state, 'env.next'), join(box.state, 'env'));
        renameSync(join(box.state, 'cwd.next'), join(box.state, 'cwd'));
      }
      resolve({ code, output: Buffer.concat(chunks).toString('utf8'), timedOut });
    });
  });
}

function where(f: Fence): string {
  return `${f.file}:${f.line}${f.hidden ? ' (hidden setup block)' : ''}`;
}

async function runSteps(steps: Step[]): Promise<number> {
  const box = sandbox();
  let ran = 0;
  let last: { fence: Fence; output: string } | null = null;
  try {
    for (const step of steps) {
      if (step.kind === 'file') {
        writeFileSync(join(readFileSync(join(box.state, 'cwd'), 'utf8').trim(), step.name), `${step.fence.text}\n`);
      } else if (step.kind === 'run') {
        const r = await runBlock(box, step.fence, step.timeoutSeconds);
        ran += 1;
        if (r.code !== 0) {
          throw new Error(
            `runnable block at ${where(step.fence)} ${r.timedOut ? `timed out after ${step.timeoutSeconds} s` : `failed with exit ${r.code}`}\n` +
              `--- block ---\n${step.fence.text}\n--- output ---\n${r.output}--- end ---`,
          );
        }
        last = { fence: step.fence, output: r.output };
      } else {
        if (!last) throw new Error(`expected block at ${where(step.fence)} has no runnable block above it`);
        if (last.output.split('\n').some((l) => l.trim() === SKIP_EXPECTED)) continue;
        const missing = missingExpected(step.lines, last.output);
        if (missing !== null) {
          throw new Error(
            `expected block at ${where(step.fence)} does not match the output of the block at ${where(last.fence)}\n` +
              `--- first line not found (in order; … matches anything) ---\n${missing}\n--- block ---\n${last.fence.text}\n--- output ---\n${last.output}--- end ---`,
          );
        }
      }
    }
  } finally {
    teardown(box);
  }
  return ran;
}

const helpCache = new Map<string, string>();
function helpOf(bin: 'mosaic-fleet' | 'mosaic-agent', sub: string | null): string | null {
  const key = `${bin} ${sub ?? ''}`;
  if (!helpCache.has(key)) {
    const file = bin === 'mosaic-fleet' ? BIN.fleet : BIN.agent;
    const r = spawnSync(process.execPath, [file, ...(sub ? [sub] : []), '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    helpCache.set(key, r.status === 0 ? r.stdout : '');
  }
  return helpCache.get(key) || null;
}

describe('docs', () => {
  it('exist, and the guide links every other page', () => {
    expect(FILES).toContain('docs/guide.md');
    const guide = readFileSync(join(DOCS, 'guide.md'), 'utf8');
    for (const f of FILES.filter((f) => f !== 'docs/guide.md')) expect(guide, `docs/guide.md should link ${f}`).toContain(`(${f.slice('docs/'.length)}`);
  });

  it('link only to pages and headings that exist', () => {
    const problems: string[] = [];
    for (const file of FILES) {
      const text = stripFences(readFileSync(join(ROOT, file), 'utf8'));
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1]!;
        if (/^[a-z]+:/.test(link)) continue;
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? join(ROOT, file) : join(ROOT, file, '..', path);
        if (!existsSync(target)) problems.push(`${file}: link to a missing file: ${link}`);
        else if (anchor !== undefined && target.endsWith('.md') && !headingSlugs(readFileSync(target, 'utf8')).has(anchor)) problems.push(`${file}: link to a missing heading: ${link}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('use only commands and flags the tools have (every sh block, runnable or not)', () => {
    const problems: string[] = [];
    for (const file of FILES) {
      for (const fence of readFences(ROOT, file).filter((f) => f.lang === 'sh' || f.lang === 'bash')) {
        for (const cmd of fleetCommands(fence.text)) {
          const top = helpOf(cmd.bin, null)!;
          if (cmd.sub !== null && !new RegExp(`^  ${cmd.sub}\\b`, 'm').test(top)) {
            problems.push(`${file}:${fence.line}: ${cmd.bin} has no command '${cmd.sub}': ${cmd.line}`);
            continue;
          }
          const help = helpOf(cmd.bin, cmd.sub) ?? '';
          for (const flag of cmd.flags) {
            if (!new RegExp(`(^|[\\s,])${flag}(?![\\w-])`, 'm').test(help)) problems.push(`${file}:${fence.line}: '${cmd.bin} ${cmd.sub ?? ''}' has no option ${flag}: ${cmd.line}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keep runnable examples on the demo profile (sim agents run anywhere)', () => {
    const problems: string[] = [];
    for (const file of FILES) {
      for (const fence of readFences(ROOT, file).filter(isRunnable)) {
        for (const m of fence.text.matchAll(/--profile[ =](\S+)/g)) if (m[1] !== 'demo') problems.push(`${file}:${fence.line}: runnable block uses --profile ${m[1]}`);
        if (/(^|[\s;|&(])(systemctl|loginctl|ssh)\s/m.test(fence.text)) problems.push(`${file}:${fence.line}: runnable block calls systemctl/loginctl/ssh (keep those in plain sh blocks)`);
        if (/\btmux\b(?![^\n]*\s-[LS]\s)[^\n]*\bkill-server\b/.test(fence.text)) problems.push(`${file}:${fence.line}: runnable block kills a tmux server without -L/-S`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('document every exit code, delivery status and roster field', () => {
    const all = FILES.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const running = readFileSync(join(DOCS, 'running.md'), 'utf8');
    for (const code of Object.values(ExitCode)) expect(running, `exit code ${code} in the table of docs/running.md`).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    const logHelp = helpOf('mosaic-agent', 'log') ?? '';
    const statuses = /only these statuses \(([^)]*)\)/.exec(logHelp.replace(/\s+/g, ' '))?.[1]?.split(' ') ?? [];
    expect(statuses.length).toBeGreaterThan(5);
    for (const s of statuses) expect(running, `delivery status '${s}' in docs/running.md`).toMatch(new RegExp(`^\\| \`${s}\` \\|`, 'm'));
    const schema = JSON.parse(readFileSync(join(ROOT, 'assets', 'roster.schema.json'), 'utf8')) as unknown;
    const roster = readFileSync(join(DOCS, 'roster.md'), 'utf8');
    for (const key of propertyNames(schema)) expect(roster, `roster field '${key}' in docs/roster.md`).toMatch(new RegExp(`\`([\\w.<>-]*\\.)?${key}\``));
    expect(all).toContain('docs'); // sanity: the corpus was read
  });

  const runnable = FILES.map((file) => ({ file, steps: stepsOf(readFences(ROOT, file)) })).filter((f) => f.steps.some((s) => s.kind === 'run'));

  it('have runnable blocks', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });

  for (const { file, steps } of runnable) {
    const blocks = steps.filter((s) => s.kind === 'run').length;
    const budget = steps.reduce((sum, s) => sum + (s.kind === 'run' ? s.timeoutSeconds : 0), 0);
    it(`${file}: its ${blocks} runnable blocks run and print what the text says`, async () => {
      expect(await runSteps(steps)).toBe(blocks);
    }, (budget + 60) * 1000);
  }
});

/** Markdown without its fenced blocks (links inside code are not links). */
function stripFences(markdown: string): string {
  return markdown.replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s*\2\s*$/gm, '');
}

/** GitHub's anchors for the headings of a markdown text. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  for (const m of stripFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    let slug = base;
    for (let i = 1; slugs.has(slug); i++) slug = `${base}-${i}`;
    slugs.add(slug);
  }
  return slugs;
}

/** Every property name a JSON Schema declares, at any depth. */
function propertyNames(schema: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) names.add(k);
    for (const v of Object.values(o)) walk(v);
  };
  walk(schema);
  return names;
}
