// systemd's three quoting dialects we write (unit ExecStart=/Environment= lines and EnvironmentFile= files),
// and the matching readers, used by `verify` and by the tests that run rendered command lines as systemd would.

import { UsageError } from '../errors.js';

const PLAIN = /^[A-Za-z0-9_@+=:,./-]+$/u;

/** `%` starts a specifier in unit files; `%%` is a literal percent. */
export function escapeSpecifiers(text: string): string {
  return text.replace(/%/gu, '%%');
}

// Double-quoted C-style escaping shared by ExecStart= and Environment= words.
function cQuote(text: string): string {
  const escaped = text.replace(/[\\"\n\t\r]/gu, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c]!);
  return `"${escaped}"`;
}

/** One argument of an ExecStart=/ExecStop= line: quoted when needed, `%` and `$` made literal. */
export function execArg(arg: string): string {
  const word = PLAIN.test(arg) ? arg : cQuote(arg);
  return escapeSpecifiers(word).replace(/\$/gu, '$$$$');
}

/** The executable of an ExecStart= line. systemd refuses quotes, backslashes and control characters there, and takes
 *  `$` literally (variables are only substituted in the arguments). */
export function execPath(path: string): string {
  if (/["'\\\u0000-\u001f\u007f]/u.test(path)) {
    throw new UsageError(
      `systemd cannot run ${path}: its path contains quotes, backslashes or control characters`,
      'install node (or symlink it) at a plainer path and run install-systemd with that node',
    );
  }
  return escapeSpecifiers(PLAIN.test(path) ? path : `"${path}"`);
}

/** A whole ExecStart= value from argv. */
export function execLine(argv: string[]): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('execLine: empty argv');
  return [execPath(file), ...args.map(execArg)].join(' ');
}

/** One `Environment=` value: a single quoted KEY=VALUE word (no variable expansion happens there). */
export function environmentAssignment(key: string, value: string): string {
  const word = `${key}=${value}`;
  return escapeSpecifiers(PLAIN.test(word) ? word : cQuote(word));
}

/** One line of an EnvironmentFile=: unquoted when plain, else double-quoted with \ before " \ ` $. */
export function envFileLine(key: string, value: string): string {
  if (value === '' || PLAIN.test(value)) return `${key}=${value}`;
  return `${key}="${value.replace(/["\\`$]/gu, (c) => `\\${c}`)}"`;
}

/** Parse an EnvironmentFile= text with the rules of systemd.exec(5) (comments, quotes, escapes, continuations). */
export function parseEnvFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i += 1;
    const newline = text.indexOf('\n', i);
    const lineEnd = newline === -1 ? text.length : newline;
    const eq = text.indexOf('=', i);
    if (i >= lineEnd || text[i] === '#' || text[i] === ';' || eq === -1 || eq > lineEnd) {
      i = lineEnd + 1;
      continue;
    }
    const [value, next] = readEnvValue(text, eq + 1);
    result[text.slice(i, eq).trim()] = value;
    i = next;
  }
  return result;
}

// Reads one value starting at `pos`; returns it and the index just past its line.
function readEnvValue(text: string, pos: number): [string, number] {
  let i = pos;
  while (text[i] === ' ' || text[i] === '\t') i += 1;
  let value = '';
  let trailing = ''; // unquoted whitespace, kept only if more value follows
  while (i < text.length && text[i] !== '\n') {
    const c = text[i]!;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close === -1 ? text.length : close;
      value += trailing + text.slice(i + 1, end);
      trailing = '';
      i = end + 1;
    } else if (c === '"') {
      const [quoted, end] = readDoubleQuoted(text, i + 1);
      value += trailing + quoted;
      trailing = '';
      i = end;
    } else if (c === '\\') {
      if (text[i + 1] !== '\n' && i + 1 < text.length) value += trailing + text[i + 1]!;
      else value += trailing;
      trailing = '';
      i += 2;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      trailing += c;
      i += 1;
    } else {
      value += trailing + c;
      trailing = '';
      i += 1;
    }
  }
  return [value, i + 1];
}

function readDoubleQuoted(text: string, pos: number): [string, number] {
  let value = '';
  let i = pos;
  while (i < text.length && text[i] !== '"') {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const n = text[i + 1]!;
      if (n === '\n') value += '';
      else if ('"\\`$'.includes(n)) value += n;
      else value += c + n;
      i += 2;
    } else {
      value += c;
      i += 1;
    }
  }
  return [value, i + 1];
}

export interface ExpandOptions {
  /** The instance name of a template unit (%i). */
  instance?: string;
  /** The full unit name (%n). */
  unitName?: string;
  /** The user's home (%h). */
  home?: string;
}

/** Expand the specifiers we use (%%, %i, %n, %h); anything else is refused so a test cannot pass by accident. */
export function expandSpecifiers(text: string, options: ExpandOptions = {}): string {
  return text.replace(/%(.)/gu, (_, c: string) => {
    if (c === '%') return '%';
    const value = c === 'i' ? options.instance : c === 'n' ? options.unitName : c === 'h' ? options.home : undefined;
    if (value === undefined) throw new Error(`unsupported or unset specifier %${c}`);
    return value;
  });
}

/** Split an ExecStart=-style value into words the way systemd does: specifiers first, then quotes and C escapes,
 *  then, in the arguments only, `$$` -> `$` (we never write variable references). Leading `-@:+!` prefixes of the
 *  first word are dropped. */
export function parseExecLine(value: string, options: ExpandOptions = {}): string[] {
  const [file, ...args] = splitWords(expandSpecifiers(value, options));
  if (file === undefined) return [];
  return [
    file.replace(/^[-@:+!]+/u, ''),
    ...args.map((w) => {
      if (/\$(?!\$)/u.test(w.replace(/\$\$/gu, ''))) throw new Error(`variable reference in '${w}' is not supported here`);
      return w.replace(/\$\$/gu, '$');
    }),
  ];
}

/** Split `Environment=` words into KEY -> VALUE (specifiers expanded). */
export function parseEnvironmentLine(value: string, options: ExpandOptions = {}): Record<string, string> {
  const result: Record<string, string> = {};
  for (const word of splitWords(value)) {
    const expanded = expandSpecifiers(word, options);
    const eq = expanded.indexOf('=');
    if (eq > 0) result[expanded.slice(0, eq)] = expanded.slice(eq + 1);
  }
  return result;
}

const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", ' ': ' ' };

// Whitespace-separated words with "..." / '...' quoting and C escapes (systemd's extract_first_word, UNQUOTE|CUNESCAPE).
function splitWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/u.test(text[i]!)) i += 1;
    if (i >= text.length) break;
    let word = '';
    let quote: string | null = null;
    for (; i < text.length; i += 1) {
      const c = text[i]!;
      if (quote === null && /\s/u.test(c)) break;
      if (c === '\\') {
        const n = text[i + 1];
        if (n === 'x' && /^[0-9a-fA-F]{2}$/u.test(text.slice(i + 2, i + 4))) {
          word += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
          i += 3;
          continue;
        }
        if (n === undefined || C_ESCAPES[n] === undefined) throw new Error(`unsupported escape in '${text}'`);
        word += C_ESCAPES[n];
        i += 1;
      } else if (quote !== null && c === quote) quote = null;
      else if (quote === null && (c === '"' || c === "'")) quote = c;
      else word += c;
    }
    if (quote !== null) throw new Error(`unterminated quote in '${text}'`);
    words.push(word);
  }
  return words;
}
