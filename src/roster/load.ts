// Reads a roster file and validates it, reporting every problem at its exact line and column.
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { FleetError } from '../errors.js';
import { INIT_HINT, readRosterText } from './read.js';
import { checkRoster } from './checks.js';
import { describeIssue, valueAt, type Finding } from './describe.js';
import { RosterError, dottedPath, sortIssues, type RosterIssue } from './issues.js';
import { RosterSource } from './positions.js';
import { RosterSchema, type Roster } from './schema.js';
import { absolutize } from './absolute.js';

export { INIT_HINT };

export interface ParseRosterOptions {
  /** Check that local agents' working directories exist (default true). */
  checkDirectories?: boolean;
  /** Environment for ~ / $HOME expansion (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Read and validate the roster at `path`. */
export function loadRoster(path: string, options: ParseRosterOptions = {}): Roster {
  return parseRoster(readRosterText(path), path, options);
}

/**
 * Validate roster YAML. Throws RosterError listing every problem; YAML syntax errors are reported on their own,
 * because schema findings on a half-parsed document would point at the wrong places.
 * Local agents come back with an absolute working_directory (~, $HOME and relative paths resolved).
 */
export function parseRoster(text: string, file: string, options: ParseRosterOptions = {}): Roster {
  return absolutize(validateRoster(text, file, options), options.env ?? process.env, dirname(resolve(file)));
}

/** parseRoster without the path resolution: the roster as written, defaults filled in (what the cache keeps). */
export function validateRoster(text: string, file: string, options: ParseRosterOptions = {}): Roster {
  const env = options.env ?? process.env;
  const baseDir = dirname(resolve(file));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const source = new RosterSource(doc, lineCounter);
  if (doc.errors.length > 0) throw new RosterError(file, sortIssues(syntaxIssues(doc.errors, text, file, source)));

  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) throw new RosterError(file, [emptyIssue(file)]);
  const parsed = RosterSchema.safeParse(raw);
  const findings: Finding[] = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, raw, RosterSchema))),
    ...checkRoster(raw, { source, checkDirectories: options.checkDirectories ?? true, env, baseDir }),
  ];
  const transport = checkTransport(raw);
  if (transport !== undefined && findings.length === 0) throw transportUnavailable(file, source);
  if (transport !== undefined) findings.push(transport);
  if (findings.length > 0 || !parsed.success) throw new RosterError(file, sortIssues(findings.map((f) => toIssue(f, file, source))));
  return parsed.data;
}

// What the yaml library reports when a line is indented deeper than the key above it, at that key's value.
const OVER_INDENT_CODES = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY']);

/** YAML syntax errors as issues; an over-indented key is reported on its own line, in our words. */
function syntaxIssues(errors: YAMLError[], text: string, file: string, source: RosterSource): RosterIssue[] {
  const issues: RosterIssue[] = [];
  const explained = new Set<number>();
  for (const error of errors) {
    const { line } = source.offsetPosition(error.pos[0]);
    if (OVER_INDENT_CODES.has(error.code)) {
      if (explained.has(line)) continue;
      const issue = overIndented(text, line, file);
      if (issue) {
        explained.add(line);
        issues.push(issue);
        continue;
      }
    }
    issues.push(syntaxIssue(error, file, source));
  }
  return issues;
}

/** The line after `line` (1-based) when its key starts deeper than the key of `line` holding a plain value. */
function overIndented(text: string, line: number, file: string): RosterIssue | undefined {
  const lines = text.split('\n');
  const above = lines[line - 1];
  if (above === undefined) return undefined;
  let next = line;
  while (next < lines.length && /^\s*(#.*)?$/u.test(lines[next]!)) next += 1;
  const below = lines[next];
  if (below === undefined) return undefined;
  const a = keyColumn(above);
  const b = keyColumn(below);
  if (a === undefined || b === undefined || b <= a) return undefined;
  const key = /^[\s-]*([^:\s]+)/u.exec(below)?.[1] ?? 'this line';
  const aboveKey = /^[\s-]*([^:\s]+)/u.exec(above)?.[1] ?? 'the key';
  return {
    file,
    line: next + 1,
    column: b + 1,
    path: '',
    message: `'${key}' is indented ${b} spaces, deeper than '${aboveKey}' on line ${line} (${a}); keys of one mapping start in the same column, so indent it ${a} spaces`,
  };
}

/** Column (0-based) where a block mapping line's key starts: after the indentation and any `- ` list markers. */
function keyColumn(line: string): number | undefined {
  const m = /^((?:\s*-\s+)*\s*)[^\s#-][^:]*:(\s|$)/u.exec(line);
  return m ? m[1]!.length : undefined;
}

function syntaxIssue(error: YAMLError, file: string, source: RosterSource): RosterIssue {
  const { line, column } = source.offsetPosition(error.pos[0]);
  return { file, line, column, path: '', message: `YAML syntax: ${error.message.replace(/\s*\n\s*/gu, ' ')}` };
}

function emptyIssue(file: string): RosterIssue {
  return { file, line: 1, column: 1, path: '', message: `the roster is empty; start with \`version: 1\` and an \`agents:\` list (${INIT_HINT} writes one)` };
}

function toIssue(finding: Finding, file: string, source: RosterSource): RosterIssue {
  const { line, column } = finding.at === 'key' ? source.keyPosition(finding.path) : source.valuePosition(finding.path);
  return { file, line, column, path: dottedPath(finding.path), message: finding.message };
}

// 'matrix' is in the schema so editors know the word, but nothing implements it yet.
function checkTransport(raw: unknown): Finding | undefined {
  return valueAt(raw, ['transport']) === 'matrix'
    ? { path: ['transport'], at: 'value', message: "transport 'matrix' is not available yet; use transport: tmux" }
    : undefined;
}

function transportUnavailable(file: string, source: RosterSource): FleetError {
  const { line, column } = source.valuePosition(['transport']);
  return new FleetError('TRANSPORT_UNAVAILABLE', `${file}:${line}:${column}: transport 'matrix' is not available yet`, {
    hint: 'use transport: tmux',
    details: { file, line, column, path: 'transport' },
  });
}
