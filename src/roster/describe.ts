// Turns zod issues into roster findings that say what is wrong and what to write instead.
import type * as z from 'zod';
import { didYouMeanSuffix } from './names.js';
import type { ValuePath } from './positions.js';

/** A problem before it is given a file position: `at: 'key'` points at the key itself (unknown keys). */
export interface Finding {
  path: ValuePath;
  at: 'key' | 'value';
  message: string;
}

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

// What to add when a required key is missing, by key name.
const MISSING_HINTS: Record<string, string> = {
  version: 'add `version: 1` at the top of the file',
  agents: 'add an `agents:` list with at least one `- name: ...` entry',
  name: 'give every agent a name',
  ssh: 'set `ssh: user@host`',
};

/** Findings for one zod issue of `schema` validating `raw`. */
export function describeIssue(issue: Issue, raw: unknown, schema: AnySchema): Finding[] {
  const path = issue.path;
  const actual = valueAt(raw, path);
  // zod reports an absent key as a wrong type or value; the person needs to hear that it is missing.
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && isMissing(raw, path)) return [missingKey(path)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(path, key, objectKeysAt(schema, path)));
    case 'invalid_key':
      return [{ path, at: 'key', message: `invalid key '${String(path[path.length - 1])}': ${firstMessage(issue.issues)}` }];
    case 'invalid_type':
      return [value(path, wrongType(issue.expected, actual, path))];
    case 'invalid_value':
      return [value(path, wrongValue(issue.values, actual))];
    case 'invalid_union': {
      // A mapping that fails only inside the one mapping branch (e.g. `restart: {policy: alway}`) is reported there.
      const inner = mappingBranch(issue, actual);
      if (inner) return inner.flatMap((sub) => describeIssue({ ...sub, path: [...path, ...sub.path] } as Issue, raw, schema));
      return [value(path, `${unionExpectation(issue)}, got ${describeValue(actual)}`)];
    }
    case 'too_small':
      return [value(path, tooSmall(issue, path))];
    case 'too_big':
      return [value(path, `must be at most ${String(issue.maximum)}, got ${describeValue(actual)}`)];
    case 'invalid_format':
      return [value(path, `${issue.message}, got ${describeValue(actual)}`)];
    default:
      return [value(path, issue.message)];
  }
}

function value(path: ValuePath, message: string): Finding {
  return { path, at: 'value', message };
}

function unknownKey(parent: ValuePath, key: string, allowed: string[]): Finding {
  const listed = allowed.length === 0 ? '' : `; allowed here: ${allowed.join(', ')}`;
  return { path: [...parent, key], at: 'key', message: `unknown key '${key}'${didYouMeanSuffix(key, allowed)}${listed}` };
}

function missingKey(path: ValuePath): Finding {
  const key = String(path[path.length - 1]);
  const hint = MISSING_HINTS[key] ?? `add \`${key}:\``;
  return { path, at: 'value', message: `missing required key '${key}'; ${hint}` };
}

function wrongType(expected: string, actual: unknown, path: ValuePath): string {
  const base = `expected ${expectedText(expected)}, got ${describeValue(actual)}`;
  // A bare name where an agent mapping belongs is the most common slip in the agents list.
  if (path.length === 2 && path[0] === 'agents' && typeof actual === 'string') return `${base}; write \`- name: ${actual}\``;
  // YAML reads a bare ~ as null, which surprises anyone who meant the home directory.
  if (actual === null && path[path.length - 1] === 'working_directory') return `${base}; a bare ~ is null in YAML, so quote it: "~"`;
  return base;
}

function wrongValue(values: readonly unknown[], actual: unknown): string {
  if (values.length === 1) return `expected ${formatLiteral(values[0])}, got ${describeValue(actual)}`;
  const options = values.map(String);
  const guess = typeof actual === 'string' ? didYouMeanSuffix(actual, options) : '';
  return `expected one of ${options.join(', ')}; got ${describeValue(actual)}${guess}`;
}

function mappingBranch(issue: Extract<Issue, { code: 'invalid_union' }>, actual: unknown): readonly Issue[] | undefined {
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return undefined;
  const nested = issue.errors.filter((branch) => branch.length > 0 && branch.every((sub) => sub.path.length > 0 || sub.code === 'unrecognized_keys'));
  return nested.length === 1 ? nested[0] : undefined;
}

// Unions carry their expectation as a custom message on the schema; zod's generic text is the fallback.
function unionExpectation(issue: Issue): string {
  return issue.message === 'Invalid input' ? 'not an accepted value' : issue.message;
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>, path: ValuePath): string {
  const minimum = String(issue.minimum);
  if (issue.origin === 'string') return 'must not be empty';
  if (issue.origin === 'array' && path.length === 1 && path[0] === 'agents') {
    return 'the roster defines no agents; add at least one `- name: ...` entry';
  }
  if (issue.origin === 'array') return `must list at least ${minimum} item(s)`;
  return issue.inclusive === false ? `must be greater than ${minimum}` : `must be at least ${minimum}`;
}

function firstMessage(issues: readonly Issue[]): string {
  return issues[0]?.message ?? 'not accepted';
}

function expectedText(expected: string): string {
  const texts: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping (key: value)',
    record: 'a mapping (key: value)',
  };
  return texts[expected] ?? expected;
}

function formatLiteral(literal: unknown): string {
  return typeof literal === 'string' ? `'${literal}'` : String(literal);
}

/** A short, one-line rendering of a YAML value for messages. */
export function describeValue(actual: unknown): string {
  if (actual === undefined) return 'nothing';
  if (actual === null) return 'an empty value';
  if (typeof actual === 'string') return `'${actual.length > 40 ? `${actual.slice(0, 37)}...` : actual}'`;
  if (Array.isArray(actual)) return 'a list';
  if (typeof actual === 'object') return 'a mapping';
  return String(actual);
}

/** The raw value at `path`, or undefined. */
export function valueAt(raw: unknown, path: ValuePath): unknown {
  let current = raw;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function isMissing(raw: unknown, path: ValuePath): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(raw, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && !Array.isArray(parent) && !Object.hasOwn(parent, path[path.length - 1]!);
}

// ---- schema walking: which keys a mapping at a path allows (for did-you-mean) ----

interface SchemaDef {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
}

function defOf(schema: AnySchema): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

// Wrappers (optional, default, transform pipes, ...) do not change which keys are allowed; a union with one mapping
// option (a short form or a mapping) allows that mapping's keys.
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : def.type === 'union' ? onlyObjectOption(def) : undefined);
    if (inner === undefined) return current;
    current = inner;
  }
}

function onlyObjectOption(def: SchemaDef): AnySchema | undefined {
  const objects = (def.options ?? []).filter((option) => defOf(unwrap(option)).type === 'object');
  return objects.length === 1 ? objects[0] : undefined;
}

function schemaAt(schema: AnySchema, path: ValuePath): AnySchema | undefined {
  let current: AnySchema | undefined = schema;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const def = defOf(unwrap(current));
    if (def.type === 'object') current = def.shape?.[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
  return current;
}

/** Keys the object schema at `path` accepts; [] when `path` is not an object. */
export function objectKeysAt(schema: AnySchema, path: ValuePath): string[] {
  const target = schemaAt(schema, path);
  if (target === undefined) return [];
  const def = defOf(unwrap(target));
  return def.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
}
