// Pure helpers for `log`: reading --since and drawing the history table.
import { UsageError } from '../errors.js';
import type { Endpoint, MessageRecord } from './types.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*([smhdw])$/;
const ISO_START = /^\d{4}-\d{2}-\d{2}/;
const BODY_CHARS = 60;

/** '10m', '2h', '1d', '90s', '1w' ago from `now`, or an ISO date/time ('2025-11-21' is UTC midnight). */
export function parseSince(value: string, now: Date = new Date()): Date {
  const text = value.trim();
  const duration = DURATION.exec(text);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!]!);
  // Date.parse alone accepts too much ("1", "May"), so require an ISO date first.
  const time = ISO_START.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`--since: cannot read "${value}"`, 'use a duration like 10m, 2h, 1d or an ISO time like 2025-11-21T09:00');
  }
  return new Date(time);
}

export interface LogTableOptions {
  /** Show times in UTC instead of local time (tests, logs shared across zones). */
  utc?: boolean;
}

/** One row per record: time, id, from -> to, status, attempts, the first 60 characters of the body. */
export function formatLogTable(records: MessageRecord[], options: LogTableOptions = {}): string {
  if (records.length === 0) return 'no messages';
  const rows = records.map((r) => [
    formatTime(new Date(r.created), options.utc === true),
    r.id,
    `${address(r.from)} -> ${address(r.to)}`,
    r.crashed ? `${r.status} (crashed)` : r.status,
    String(r.attempts.length),
    excerpt(r.body),
  ]);
  const header = ['TIME', 'ID', 'FROM -> TO', 'STATUS', 'TRIES', 'BODY'];
  return [header, ...rows].map((row) => alignRow(row, widths([header, ...rows]))).join('\n');
}

function widths(rows: string[][]): number[] {
  return rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
}

/** Pad every column but the last (the body runs to the end of the line). */
function alignRow(row: string[], width: number[]): string {
  return row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(width[i]!))).join('  ');
}

function address(endpoint: Endpoint): string {
  return `${endpoint.host}:${endpoint.session}`;
}

/** First 60 characters with whitespace runs (newlines included) shown as one space, then '…' when cut. */
function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat); // by code point, so an emoji is never split
  return chars.length <= BODY_CHARS ? flat : `${chars.slice(0, BODY_CHARS).join('')}…`;
}

/** `YYYY-MM-DD HH:MM:SS`, local time unless `utc`: the one time format people read (JSON carries ISO). */
export function formatTime(time: Date, utc = false): string {
  const parts = utc
    ? [time.getUTCFullYear(), time.getUTCMonth() + 1, time.getUTCDate(), time.getUTCHours(), time.getUTCMinutes(), time.getUTCSeconds()]
    : [time.getFullYear(), time.getMonth() + 1, time.getDate(), time.getHours(), time.getMinutes(), time.getSeconds()];
  const [y, mo, d, h, mi, s] = parts.map((n) => String(n).padStart(2, '0'));
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}

/** One record as one line, for `log --follow`: time, id, who to whom, status, body excerpt. */
export function formatLogLine(r: MessageRecord, options: LogTableOptions = {}): string {
  const detail = r.attempts.at(-1)?.detail;
  return [formatTime(new Date(r.updated), options.utc === true), r.id, `${address(r.from)} -> ${address(r.to)}`, r.crashed ? `${r.status} (crashed)` : r.status, excerpt(r.body), ...(detail && r.status !== 'submitted' ? [`(${detail})`] : [])].join('  ');
}
