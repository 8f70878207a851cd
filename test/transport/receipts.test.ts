import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost, lockDir } from '../../src/host/local.js';
import { ReceiptReader, holdsText } from '../../src/transport/tmux/receipts.js';
import { RECEIPT_APPEND, wrapWithFiles } from '../../src/runtimes/receipt-hook.js';
import { launchFor } from '../../src/core/launch.js';
import type { ResolvedAgent } from '../../src/roster/resolve.js';

describe('ReceiptReader', () => {
  it('only counts prompts reported after mark(), and matches through whitespace changes', async () => {
    const dir = join(lockDir(), '..', 'receipts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'sock-agent.jsonl');
    const text = '[h:a -> h:b] please review\nthe parser change';
    appendFileSync(file, `${JSON.stringify({ hook_event_name: 'UserPromptSubmit', prompt: text })}\n`);
    const reader = new ReceiptReader(new LocalHost(), 'sock-agent');
    await reader.mark();
    expect(await reader.seen(text)).toBe(false); // an identical, older prompt does not count
    appendFileSync(file, '{"prompt": "half-writ');
    expect(await reader.seen(text)).toBe(false);
    appendFileSync(file, `\n${JSON.stringify({ prompt: '[h:a -> h:b]  please review\n  the parser  change' })}\n`);
    expect(await reader.seen(text)).toBe(true);
  });

  it('holdsText needs both the head and the tail of the message', () => {
    expect(holdsText('[h:a -> h:b] one two three', '[h:a -> h:b] one two three')).toBe(true);
    expect(holdsText('[h:a -> h:b] one two', '[h:a -> h:b] one two three four five six seven eight nine ten eleven twelve')).toBe(false);
  });
});

describe('receipt setup on the agent host', () => {
  const run = (argv: string[], env: Record<string, string>) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });

  it('wrapWithFiles writes the files, exports their paths, puts the directory in for @receipts/, then runs the REPL', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mf-wrap-'));
    try {
      const content = '{"plugin":["file://@receipts/p.js"],"odd":"$HOME `id` \\\\n \'q\'"}\n';
      const argv = wrapWithFiles(
        [{ name: 'c.json', content, env: 'CFG_PATH' }, { name: 'p.js', content: 'export {}' }],
        ['sh', '-c', 'printf "%s|%s|%s" "$CFG_PATH" "$1" "$2"', 'sh', '--ext=@receipts/p.js', 'plain text'],
      );
      expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
      const r = run(argv, { TMUX_TMPDIR: tmp });
      const dir = join(tmp, `mosaic-fleet-${process.getuid!()}`, 'receipts');
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${dir}/c.json|--ext=${dir}/p.js|plain text`);
      expect(readFileSync(join(dir, 'c.json'), 'utf8')).toBe(content.replace('@receipts/', `${dir}/`));
      expect(statSync(join(dir, 'p.js')).mode & 0o077).toBe(0); // umask 077: only the owner reads the hook code
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('wrapWithFiles leaves argv alone when there is no file', () => {
    expect(wrapWithFiles([], ['claude', '--settings', '{}'])).toEqual(['claude', '--settings', '{}']);
  });

  it('RECEIPT_APPEND appends stdin as one line per prompt, and does nothing without a receipt name', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mf-append-'));
    try {
      const hook = (input: string, env: Record<string, string>) => spawnSync('sh', ['-c', RECEIPT_APPEND], { input, encoding: 'utf8', env: { PATH: process.env.PATH!, TMUX_TMPDIR: tmp, ...env } });
      expect(hook('{"prompt":"x"}', {}).status).toBe(0);
      hook('{\n "prompt": "first\\nline"\n}\n', { MOSAIC_RECEIPT_NAME: 'sock-a' });
      hook('{"prompt":"second"}', { MOSAIC_RECEIPT_NAME: 'sock-a' });
      const file = join(tmp, `mosaic-fleet-${process.getuid!()}`, 'receipts', 'sock-a.jsonl');
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).prompt);
      expect(lines).toEqual(['first\nline', 'second']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('launchFor adds each runtime\'s receipt setup only with delivery_receipt: hook and the direct launcher', () => {
    const agent = (runtime: string, extra: Partial<ResolvedAgent> = {}) =>
      ({ name: 'a1', runtime, baseRuntime: runtime, host: 'local', env: {}, workingDirectory: '/tmp', readyTimeoutMs: 1000, launcher: 'direct', deliveryReceipt: 'hook', ...extra }) as unknown as ResolvedAgent;
    const where = { socket: 'sock', rosterPath: '/tmp/r.yaml', env: { HOME: '/tmp/h', PATH: '/usr/bin' } };
    const claude = launchFor(agent('claude'), where);
    expect(claude.argv[0]).toBe('claude');
    expect(claude.argv).toContain('--settings');
    expect(claude.env.MOSAIC_RECEIPT_NAME).toBe('sock-a1');
    const pi = launchFor(agent('pi'), where);
    expect(pi.argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(pi.argv).toContain('-e');
    expect(pi.argv).toContain('@receipts/sock-a1.pi-receipt.ts');
    expect(pi.receipt).toBe('sock-a1');
    const opencode = launchFor(agent('opencode'), where);
    expect(opencode.argv).toContain('OPENCODE_CONFIG');
    expect(opencode.argv.at(-1)).toBe('opencode');
    expect(launchFor(agent('codex'), where)).toMatchObject({ argv: ['codex', '--no-daemon'] });
    // No per-session hook: Codex's needs a trust review, Gemini CLI's a settings file of the user's.
    for (const runtime of ['codex', 'gemini']) expect(launchFor(agent(runtime), where).receipt, runtime).toBeUndefined();
    expect(launchFor(agent('gemini'), where).argv).toEqual(['gemini']);
    expect(launchFor(agent('opencode', { deliveryReceipt: 'screen' } as Partial<ResolvedAgent>), where).argv).toEqual(['opencode']);
  });
});
