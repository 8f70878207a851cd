// Reads a roster file and validates it, reporting every problem at its exact line and column.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { FleetError } from '../errors.js';
import { checkRoster } from './checks.js';
import { describeIssue, valueAt, type Finding } from './describe.js';
import { RosterError, dottedPath, sortIssues, type RosterIssue } from './issues.js';
import { expandPath } from './paths.js';
import { RosterSource } from './positions.js';
import { LOCAL_HOST, RosterSchema, type Roster } from './schema.js';

export interface ParseRosterOptions {
  /** Check that local agents' working directories exist (default true). */
  checkDirectories?: boolean;
  /** Environment for ~ / $HOME expansion (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export const INIT_HINT = 'mosaic-fleet init --profile minimal --write';

/** Read and validate the roster at `path`. */
export function loadRoster(path: string, options: ParseRosterOptions = {}): Roster {
  return parseRoster(readRosterText(path), path, options);
}

function readRosterText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new FleetError('ROSTER_MISSING', `roster not found: ${path}`, { hint: `${INIT_HINT} --roster ${path}`, details: { file: path }, cause: error });
    }
    throw new FleetError('ROSTER_INVALID', `cannot read roster ${path}: ${(error as Error).message}`, { details: { file: path }, cause: error });
  }
}

/**
 * Validate roster YAML. Throws RosterError listing every problem; YAML syntax errors are reported on their own,
 * because schema findings on a half-parsed document would point at the wrong places.
 * Local agents come back with an absolute working_directory (~, $HOME and relative paths resolved).
 */
export function parseRoster(text: string, file: string, options: ParseRosterOptions = {}): Roster {
  const env = options.env ?? process.env;
  const baseDir = dirname(resolve(file));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const source = new RosterSource(doc, lineCounter);
  if (doc.errors.length > 0) throw new RosterError(file, sortIssues(doc.errors.map((e) => syntaxIssue(e, file, source))));

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
  return absolutize(parsed.data, env, baseDir);
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

// Paths are resolved once here, against the roster file's directory, so later code never guesses a base.
function absolutize(roster: Roster, env: NodeJS.ProcessEnv, baseDir: string): Roster {
  const agents = roster.agents.map((agent) => {
    const isLocal = agent.host === undefined || agent.host === LOCAL_HOST;
    if (!isLocal) return agent; // a remote ~ belongs to the remote account
    const dir = agent.working_directory ?? roster.defaults.working_directory;
    return { ...agent, working_directory: expandPath(dir, env, baseDir) };
  });
  const hosts = Object.fromEntries(
    Object.entries(roster.hosts).map(([name, host]) => [
      name,
      host.identity_file === undefined ? host : { ...host, identity_file: expandPath(host.identity_file, env, baseDir) },
    ]),
  );
  return { ...roster, agents, hosts };
}
