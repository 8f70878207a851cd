// A roster problem with its exact place in the file, and the one error that carries all of them.
import { FleetError } from '../errors.js';

export interface RosterIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Dotted path of the offending value, e.g. `agents.2.runtime`; '' for YAML syntax errors. */
  path: string;
  message: string;
}

/** Every problem found in one roster, reported together (code ROSTER_INVALID). */
export class RosterError extends FleetError {
  readonly issues: RosterIssue[];
  readonly file: string;

  constructor(file: string, issues: RosterIssue[]) {
    super('ROSTER_INVALID', formatRosterIssues(file, issues), {
      hint: 'fix the lines above; `mosaic-fleet init --profile minimal` prints a valid roster to compare with',
      details: { file, issues },
    });
    this.name = 'RosterError';
    this.issues = issues;
    this.file = file;
  }
}

/** `roster <file> has N problem(s):` then one `file:line:column: path: message` line per issue. */
export function formatRosterIssues(file: string, issues: RosterIssue[]): string {
  return [`roster ${file} has ${issues.length} problem(s):`, ...issues.map(formatIssue)].join('\n');
}

export function formatIssue(issue: RosterIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}:`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** Dotted form of a value path. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Issues in file order, each (place, message) once. */
export function sortIssues(issues: RosterIssue[]): RosterIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((issue) => {
      const key = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
