// What `npm pack` ships, and that it works once installed: the tarball holds the executables, the sim runtime, the
// shipped tmux config, the roster schema, the profiles and the compat-tool templates, and nothing else (no sources,
// tests, source maps, bench or testbed); installed with `npm install -g --prefix` into a temp prefix on a clean temp
// HOME, its commands run, the demo included.
//
// It packs the repository's dist/ as it is (`npm test` builds first), exactly as a release would.
import { spawnSync } from 'node:child_process';
import { runProcess, type CliResult } from '../helpers/cli.js';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };

type Run = CliResult;

// The installed package runs with exactly the environment given (a clean HOME), not ours.
function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return runProcess(cmd, args, { timeoutMs: 120_000, ...options });
}

function show(r: Run): string {
  return `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

// npm settings that must survive the temp HOME: the global npmrc (CA file, registry) and the download cache.
function npmConfig(key: string): string {
  return spawnSync('npm', ['config', 'get', key], { encoding: 'utf8' }).stdout.trim();
}

let work: string;
let tarball: string;
let files: string[];
let packInfo: { size: number; unpackedSize: number; entryCount: number };
let prefix: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mft-pack-'));
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { timeoutMs: 120_000 });
  expect(packed.code, show(packed)).toBe(0);
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[]; size: number; unpackedSize: number; entryCount: number }];
  tarball = join(work, info.filename);
  files = info.files.map((f) => f.path).sort();
  packInfo = { size: info.size, unpackedSize: info.unpackedSize, entryCount: info.entryCount };
  console.log(`${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} kB packed, ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked`);

  prefix = join(work, 'prefix');
  const home = join(work, 'home');
  const globalconfig = npmConfig('globalconfig');
  const cache = npmConfig('cache');
  env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|MOSAIC_|XDG_|TMUX$|TMUX_PANE$|NODE_OPTIONS$|VITEST)/.test(k)) env[k] = v;
  // Only the temp prefix, node, and the system tools: nothing of the repository on PATH.
  const system = (process.env.PATH ?? '').split(':').filter((p) => p && !p.includes('node_modules') && !p.startsWith(ROOT));
  Object.assign(env, { HOME: home, PATH: [join(prefix, 'bin'), dirname(process.execPath), ...system].join(':'), NO_COLOR: '1' });
  const install = await run(
    'npm',
    ['install', '-g', '--prefix', prefix, `--globalconfig=${globalconfig}`, `--cache=${cache}`, '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier', tarball],
    { env: { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` }, cwd: work, timeoutMs: 240_000 },
  );
  expect(install.code, show(install)).toBe(0);
}, 400_000);

afterAll(() => {
  // The demo tears itself down; anything it left would be on this test process's private TMUX_TMPDIR (setup.ts).
  const dir = join(process.env.TMUX_TMPDIR ?? '/nonexistent', `tmux-${process.getuid?.() ?? 0}`);
  if (process.env.TMUX_TMPDIR?.includes('mft-tmux-') && existsSync(dir)) {
    for (const s of readdirSync(dir)) spawnSync('tmux', ['-S', join(dir, s), 'kill-server'], { stdio: 'ignore' });
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the executables, the sim, the tmux config, the schema, the profiles and the tool templates', () => {
    for (const f of [
      'package.json',
      'README.md',
      'dist/index.js',
      'dist/index.d.ts',
      ...Object.values(PKG.bin).map((b) => posix.normalize(b)),
      'dist/sim/main.js',
      'dist/runtimes/sim.js',
      'assets/tmux.conf',
      'assets/roster.schema.json',
      'dist/roster/profiles.js',
      'dist/tools/render.js',
      'dist/systemd/render.js',
    ]) {
      expect(files, `the package should contain ${f}`).toContain(f);
    }
  });

  it('ships nothing else: no sources, tests, maps, bench, testbed or dev files', () => {
    const allowed = (f: string) =>
      f === 'package.json' || f === 'README.md' || /^LICEN[SC]E/.test(f) || f === 'assets/tmux.conf' || f === 'assets/roster.schema.json' || /^dist\/.+\.(js|cjs|d\.ts|d\.cts)$/.test(f);
    expect(files.filter((f) => !allowed(f))).toEqual([]);
    expect(files.filter((f) => /^(src|test|scripts)\//.test(f) || /\.map$/.test(f) || (/\.ts$/.test(f) && !f.endsWith('.d.ts')))).toEqual([]);
    expect(files.filter((f) => /^dist\/(bench|testbed)\//.test(f) || /\.test\./.test(f))).toEqual([]);
  });

  it('ships no stale build output: every dist module has its source', () => {
    const stale = files.filter((f) => f.startsWith('dist/') && /\.c?js$/.test(f)).filter((f) => !existsSync(join(ROOT, 'src', f.slice('dist/'.length).replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts'))));
    expect(stale, 'dist/ holds output of deleted sources: rm -rf dist && npm run build').toEqual([]);
  });

  it('is closed: every relative import of a shipped module is shipped too', () => {
    const shipped = new Set(files);
    const missing: string[] = [];
    for (const f of files.filter((p) => /\.c?js$/.test(p) || p.endsWith('.d.ts'))) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        let target = posix.normalize(posix.join(posix.dirname(f), m[1]!));
        if (f.endsWith('.d.ts')) target = target.replace(/\.js$/, '.d.ts').replace(/\.cjs$/, '.d.cts');
        if (!shipped.has(target)) missing.push(`${f} -> ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('starts the executables with a node shebang', () => {
    for (const bin of Object.values(PKG.bin)) expect(readFileSync(join(ROOT, bin), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('stays small', () => {
    expect(packInfo.entryCount).toBeLessThan(400);
    expect(packInfo.size).toBeLessThan(1024 * 1024);
  });
});

describe('the installed package (npm install -g --prefix, clean HOME)', () => {
  const bin = (name: string) => join(prefix, 'bin', name);
  const installed = () => join(prefix, 'lib', 'node_modules', PKG.name);

  it('mosaic-fleet --version', async () => {
    const r = await run(bin('mosaic-fleet'), ['--version'], { env, cwd: work });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('mosaic-fleet init --profile demo, pointing editors at the shipped schema', async () => {
    const r = await run(bin('mosaic-fleet'), ['init', '--profile', 'demo'], { env, cwd: work });
    expect(r.code, show(r)).toBe(0);
    const schema = /\$schema=(\S+)/.exec(r.stdout)?.[1];
    expect(schema).toBe(join(installed(), 'assets', 'roster.schema.json'));
    expect(existsSync(schema!)).toBe(true);
    expect(r.stdout).toMatch(/runtime: sim/);

    const w = await run(bin('mosaic-fleet'), ['init', '--profile', 'demo', '--write'], { env, cwd: work });
    expect(w.code, show(w)).toBe(0);
    const roster = join(env.HOME!, '.config', 'mosaic', 'fleet', 'roster.yaml');
    expect(w.stdout.trim()).toBe(roster);
    expect(existsSync(join(dirname(roster), 'roster.schema.json'))).toBe(true);
    const listed = await run(bin('mosaic-agent'), ['roster'], { env, cwd: work });
    expect(listed.code, show(listed)).toBe(0);
    expect(listed.stdout).toMatch(/^charlie\s+local\s+sim\s+reviewer/m);
  });

  it('runs the demo (sim agents, shipped tmux.conf) on a private TMUX_TMPDIR', async () => {
    expect(process.env.TMUX_TMPDIR, 'test/helpers/setup.ts gives every test process a private TMUX_TMPDIR').toMatch(/mft-tmux-/);
    const r = await run(bin('mosaic-fleet'), ['demo', '--rm'], { env: { ...env, TMUX_TMPDIR: process.env.TMUX_TMPDIR }, cwd: work, timeoutMs: 120_000 });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/alpha -> bravo: submitted/);
    expect(r.stdout).toMatch(/demo torn down/);
  }, 150_000);

  it('mosaic-agent --help', async () => {
    const r = await run(bin('mosaic-agent'), ['--help'], { env, cwd: work });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mosaic-agent/);
    expect(r.stdout).toMatch(/^\s+send \[options\] <target>/m);
  });

  it('writes the compat tools against the installed CLI', async () => {
    const r = await run(bin('mosaic-fleet'), ['install-tools', '--json'], { env, cwd: work });
    expect(r.code, show(r)).toBe(0);
    const report = JSON.parse(r.stdout) as { agentCliPath: string; files: { path: string }[] };
    expect(report.agentCliPath).toBe(join(installed(), 'dist', 'cli', 'agent-bin.js'));
    const scripts = report.files.map((f) => f.path);
    expect(scripts.map((p) => p.split('/').pop()).sort()).toEqual(['agent-send.sh', 'send-message.sh']);
    for (const script of scripts) {
      const help = await run(script, ['-h'], { env, cwd: work });
      expect(help.code, show(help)).toBe(0);
      expect(help.stdout).toMatch(/^usage: /);
    }
  });

  it('imports as a library', async () => {
    const entry = join(installed(), 'dist', 'index.js');
    const r = await run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).sort().join(' '))`], { env, cwd: work });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/registerAgentCommands/);
    expect(r.stdout).toMatch(/registerFleetCommands/);
  });
});
