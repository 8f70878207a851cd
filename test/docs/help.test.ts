// The help audit: every command's --help starts with a one-line purpose and shows at least one example.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BINS = { 'mosaic-fleet': join(ROOT, 'dist', 'cli', 'fleet-bin.js'), 'mosaic-agent': join(ROOT, 'dist', 'cli', 'agent-bin.js') };

function help(bin: keyof typeof BINS, sub?: string): string {
  const r = spawnSync(process.execPath, [BINS[bin], ...(sub ? [sub] : []), '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', COLUMNS: '80' } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function subcommands(bin: keyof typeof BINS): string[] {
  const top = help(bin);
  const section = top.slice(top.indexOf('\nCommands:\n') + 1);
  const commands = section.slice(0, section.indexOf('\n\n'));
  return [...commands.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

/** The purpose: the text between the Usage line and the first section, as one sentence. */
function purpose(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((l, i) => i > 1 && /^[A-Z][a-z]+:$/.test(l));
  return lines.slice(2, end).join(' ').replace(/\s+/g, ' ').trim();
}

describe('--help', () => {
  for (const bin of Object.keys(BINS) as (keyof typeof BINS)[]) {
    it(`every ${bin} command has a purpose and at least one example`, () => {
      const problems: string[] = [];
      const subs = subcommands(bin);
      expect(subs.length).toBeGreaterThan(4);
      for (const sub of subs) {
        const text = help(bin, sub);
        if (purpose(text) === '') problems.push(`${bin} ${sub}: no purpose line`);
        if (!/^Examples:\n {2}\$ \S/m.test(text)) problems.push(`${bin} ${sub}: no example`);
      }
      expect(problems).toEqual([]);
    });

    it(`every ${bin} command's --help ends with its exit codes and the guide's path, and that section exists`, () => {
      const problems: string[] = [];
      for (const sub of [undefined, ...subcommands(bin)]) {
        const text = help(bin, sub);
        const label = `${bin} ${sub ?? ''}`;
        const end = /\nExit codes: (\d.+|tmux's own.+)\n {2}all codes: (\S+), section "Exit codes"\nGuide: (\S+?)(?:, section "([^"]+)")?\n*$/.exec(text);
        if (!end) {
          problems.push(`${label}: does not end with Exit codes / all codes / Guide`);
          continue;
        }
        for (const [file, section] of [[end[2]!, 'Exit codes'], [end[3]!, end[4]]] as const) {
          if (!existsSync(file)) problems.push(`${label}: ${file} does not exist`);
          else if (section && !readFileSync(file, 'utf8').split('\n').some((l) => l.replace(/^#+\s*/, '') === section && l.startsWith('#'))) problems.push(`${label}: no section "${section}" in ${file}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it(`${bin} --help itself shows an example`, () => {
      expect(help(bin)).toMatch(/^Examples:\n {2}\$ \S/m);
    });
  }
});
