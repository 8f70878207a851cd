// Fenced code blocks of the guide, as the doc test sees them.
//
// Info strings the test understands (the first word stays the language, so renderers still highlight):
//   ```sh runnable            run with `bash -euo pipefail`, in order, sharing state with the file's other blocks
//   ```sh runnable timeout=N  the same, allowed N seconds (default 120)
//   ```text expected          every line must show up, in order, in the output of the closest runnable block above;
//                             `…` matches anything (ids, timings, host names)
//   ```yaml file=NAME         written to NAME in the working directory when the blocks before it have run
// Runnable blocks inside an HTML comment (`<!-- ... -->`) are invisible when rendered: the test uses them to set up
// a failure the text then shows. Every other block (plain `sh`, `ini`, ...) is documentation only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Fence {
  /** Path relative to the repository root, e.g. docs/running.md. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  flags: string[];
  text: string;
  /** Inside an HTML comment (hidden when rendered). */
  hidden: boolean;
}

export type Step =
  | { kind: 'run'; fence: Fence; timeoutSeconds: number }
  | { kind: 'expect'; fence: Fence; lines: string[] }
  | { kind: 'file'; fence: Fence; name: string };

const OPEN = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/;

/** Every fenced block of a markdown text, in order. */
export function parseFences(markdown: string, file: string): Fence[] {
  const lines = markdown.split('\n');
  const fences: Fence[] = [];
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = OPEN.exec(line);
    if (!open) {
      // Track HTML comments outside fences (a comment may hold hidden fences).
      if (!inComment && line.includes('<!--') && !line.slice(line.indexOf('<!--')).includes('-->')) inComment = true;
      else if (inComment && line.includes('-->')) inComment = false;
      continue;
    }
    const indent = open[1]!.length;
    const marker = open[2]!;
    const [lang = '', ...flags] = open[3]!.trim().split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    for (; j < lines.length && !close.test(lines[j]!); j++) body.push(lines[j]!.replace(new RegExp(`^ {0,${indent}}`), ''));
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    fences.push({ file, line: i + 1, lang, flags, text: body.join('\n'), hidden: inComment });
    i = j;
  }
  return fences;
}

export function isRunnable(f: Fence): boolean {
  return (f.lang === 'sh' || f.lang === 'bash') && f.flags.includes('runnable');
}

/** The steps the doc test performs for one file, in document order. */
export function stepsOf(fences: Fence[]): Step[] {
  const steps: Step[] = [];
  for (const fence of fences) {
    const file = fence.flags.find((f) => f.startsWith('file='));
    if (isRunnable(fence)) {
      const t = fence.flags.find((f) => f.startsWith('timeout='));
      steps.push({ kind: 'run', fence, timeoutSeconds: t ? Number(t.slice('timeout='.length)) : 120 });
    } else if (fence.flags.includes('expected')) {
      steps.push({ kind: 'expect', fence, lines: fence.text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '') });
    } else if (file) {
      steps.push({ kind: 'file', fence, name: file.slice('file='.length) });
    }
  }
  return steps;
}

/** Markdown files under `dir`, sorted, as paths relative to `root`. */
export function markdownFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) out.push(relative(root, p));
    }
  };
  walk(dir);
  return out;
}

export function readFences(root: string, file: string): Fence[] {
  return parseFences(readFileSync(join(root, file), 'utf8'), file);
}

/** A line of an `expected` block as a regular expression: literal text, `…` matching anything. */
export function expectedLinePattern(line: string): RegExp {
  const parts = line.trim().split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('.*?'));
}

/** Where the expected lines fail to appear, in order, in `output`; null when they all do. */
export function missingExpected(expected: string[], output: string): string | null {
  const lines = output.split('\n').map((l) => l.trimEnd());
  let at = 0;
  for (const want of expected) {
    const re = expectedLinePattern(want);
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    if (found < 0) return want;
    at = found + 1;
  }
  return null;
}

/** Shell commands of the fleet in a block: `mosaic-fleet <sub> --flags...` and `mosaic-agent <sub> --flags...`. */
export function fleetCommands(text: string): { bin: 'mosaic-fleet' | 'mosaic-agent'; sub: string | null; flags: string[]; line: string }[] {
  const joined = text.replace(/\\\n/g, ' ');
  const out: { bin: 'mosaic-fleet' | 'mosaic-agent'; sub: string | null; flags: string[]; line: string }[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.replace(/^\s*\$\s+/, '');
    // Comments, heredoc bodies and quoted strings hold prose, not flags.
    const code = stripQuotes(line.replace(/(^|\s)#.*$/, ''));
    for (const m of code.matchAll(/(?:^|[\s;|&($`])(mosaic-fleet|mosaic-agent)(?=\s|$)([^;|&)`]*)/g)) {
      const words = m[2]!.trim().split(/\s+/).filter(Boolean);
      const sub = words[0] && !words[0].startsWith('-') ? words[0] : null;
      const flags = words.filter((w) => /^--[a-z]/.test(w)).map((w) => w.split('=')[0]!);
      out.push({ bin: m[1] as 'mosaic-fleet' | 'mosaic-agent', sub, flags, line: raw.trim() });
    }
  }
  return out;
}

function stripQuotes(s: string): string {
  return s.replace(/'[^']*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, '""');
}
