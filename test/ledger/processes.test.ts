// The ledger under real concurrency: separate OS processes appending, claiming and crashing.
// Children run the COMPILED ledger (Node 20 cannot import .ts), built once into a private temp dir so neither a
// stale dist/ nor other people's work in progress affects the result.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CHILD = join(import.meta.dirname, 'fixtures', 'child.mjs');
let buildDir: string;
let modulePath: string;
const dirs: string[] = [];

beforeAll(() => {
  buildDir = mkdtempSync(join(tmpdir(), 'mft-ledger-build-'));
  writeFileSync(
    join(buildDir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { outDir: join(buildDir, 'out'), rootDir: join(ROOT, 'src'), declaration: false, typeRoots: [join(ROOT, 'node_modules/@types')] },
      files: [join(ROOT, 'src/ledger/index.ts')],
      include: [],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(buildDir, 'tsconfig.json')], { encoding: 'utf8' });
  modulePath = join(buildDir, 'out', 'ledger', 'index.js');
  if (!existsSync(modulePath)) throw new Error(`ledger build failed:\n${tsc.stdout}${tsc.stderr}`);
  writeFileSync(join(buildDir, 'out', 'package.json'), '{"type":"module"}');
});

afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempLedgerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mft-ledger-'));
  dirs.push(dir);
  return dir;
}

/** Run a child to completion; resolves with its stdout lines. */
function runChild(dir: string, mode: string, ...args: string[]): Promise<string[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CHILD, modulePath, dir, mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(out.split('\n').filter(Boolean)) : fail(new Error(`child ${mode} exited ${code}: ${err}`))));
  });
}

/** Start a child that prints one line (an id) and then hangs until killed. */
function startHanging(dir: string, mode: string): Promise<{ id: string; kill: () => Promise<void> }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CHILD, modulePath, dir, 'hang', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => fail(new Error(`hanging child exited early (${code}): ${err}`)));
    child.stdout.once('data', (d: Buffer) => {
      child.removeAllListeners('exit');
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      done({ id: d.toString().trim(), kill: () => (child.kill('SIGKILL'), exited) });
    });
  });
}

const soon = () => String(Date.now() + 1500); // a moment every child reaches after starting node

describe('concurrent writer processes', () => {
  it('8 processes x 200 records with attempts: every record once, every line whole', async () => {
    const dir = tempLedgerDir();
    const start = soon();
    const tags = Array.from({ length: 8 }, (_, i) => `w${i}`);
    await Promise.all(tags.map((tag) => runChild(dir, 'write', '200', tag, start)));

    const ledger = new Ledger(dir);
    const records = ledger.list();
    expect(records).toHaveLength(1600);
    const seen = new Map<string, number>();
    for (const r of records) {
      const key = r.body.slice(0, r.body.indexOf(' '));
      seen.set(key, (seen.get(key) ?? 0) + 1);
      expect(r.status).toBe('submitted');
      expect(r.attempts).toHaveLength(1);
      expect(r.attempts[0]).toMatchObject({ state: 'submitted', enters: 1 });
      expect(r.body.endsWith('ünïcödé ✓\nsecond line')).toBe(true);
    }
    for (const tag of tags) for (let i = 0; i < 200; i++) expect(seen.get(`${tag}#${i}`), `${tag}#${i}`).toBe(1);
    expect(ledger.warnings()).toEqual([]);

    // Raw check, independent of the reader's resynchronisation: every line is exactly one event.
    let lines = 0;
    for (const name of readdirSync(join(dir, 'messages'))) {
      const text = readFileSync(join(dir, 'messages', name), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        expect(line.startsWith('{"mfl":1,')).toBe(true);
        expect(() => JSON.parse(line)).not.toThrow();
        lines++;
      }
    }
    expect(lines).toBe(1600 * 3);
  });
});

describe('claims across processes', () => {
  it('8 processes claim one message at the same moment: exactly one wins', async () => {
    const dir = tempLedgerDir();
    const ledger = new Ledger(dir);
    const { id } = ledger.create({ from: { host: 'h', session: 'a' }, to: { host: 'h', session: 'b' }, body: 'once', queue: true });
    const start = soon();
    const outcomes = (await Promise.all(Array.from({ length: 8 }, () => runChild(dir, 'claim', id, start)))).flat();
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'lost')).toHaveLength(7);
    const record = ledger.get(id)!;
    expect(record.status).toBe('submitted');
    expect(record.attempts).toHaveLength(1);
    expect(existsSync(join(dir, 'claims', id))).toBe(false); // released after the final status
  });

  it('6 deliverer processes drain 60 queued messages: each delivered exactly once', async () => {
    const dir = tempLedgerDir();
    const ledger = new Ledger(dir);
    const ids = Array.from({ length: 60 }, (_, i) =>
      ledger.create({ from: { host: 'h', session: 'a' }, to: { host: 'h', session: `t${i % 3}` }, body: `m${i}`, queue: true, ttlMs: 60_000 }).id,
    );
    const start = soon();
    const delivered = (await Promise.all(Array.from({ length: 6 }, () => runChild(dir, 'deliver', start)))).flat();
    expect([...delivered].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const record = ledger.get(id)!;
      expect(record.status).toBe('submitted');
      expect(record.attempts).toHaveLength(1);
    }
    expect(ledger.pending()).toEqual([]);
  });
});

describe('crash detection', () => {
  it('a sender killed mid-send leaves a record that says so', async () => {
    const dir = tempLedgerDir();
    const child = await startHanging(dir, 'immediate');
    const ledger = new Ledger(dir);
    expect(ledger.get(child.id)).toMatchObject({ status: 'sending', attempts: [{ state: 'started' }] });
    expect(ledger.get(child.id)!.crashed).toBeUndefined();

    await child.kill();
    const record = ledger.get(child.id)!;
    expect(record.status).toBe('sending');
    expect(record.crashed).toBe(true);
    expect(ledger.list({ crashed: true }).map((r) => r.id)).toEqual([child.id]);
    expect(ledger.pending()).toEqual([]); // an interrupted immediate send is not a deliverer's job
  });

  it("a dead deliverer's claim is taken over; a live one's is not", async () => {
    const dir = tempLedgerDir();
    const child = await startHanging(dir, 'queued');
    const ledger = new Ledger(dir);
    expect(ledger.claim(child.id)).toBe(false);
    expect(ledger.pending()).toEqual([]);

    await child.kill();
    expect(ledger.get(child.id)).toMatchObject({ status: 'sending', crashed: true, queued: true });
    expect(ledger.pending().map((r) => r.id)).toEqual([child.id]); // back on the work list, to be looked at
    expect(ledger.claim(child.id)).toBe(true);
    expect(ledger.get(child.id)!.claimedBy?.pid).toBe(process.pid);
    ledger.startAttempt(child.id);
    ledger.finishAttempt(child.id, 'submitted', { detail: 'earlier attempt had not landed' });
    ledger.release(child.id);
    const record = ledger.get(child.id)!;
    expect(record.status).toBe('submitted');
    expect(record.crashed).toBeUndefined();
    expect(record.attempts.map((a) => a.state)).toEqual(['started', 'submitted']);
    expect(ledger.claim(child.id)).toBe(false);
  });
});
