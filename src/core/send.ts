import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { parseEndpoint, type Endpoint } from '../delivery/body.js';
import type { DeliveryStatus } from '../delivery/deliver.js';
import type { Context } from './context.js';
import { detectSelf, localShortHostname } from './identity.js';
import { newMessageId } from './ids.js';

export interface SendInput {
  target: string;
  body: string;
  from?: string;
  toHost?: string;
  preamble: boolean;
  raw: boolean;
  runtime?: string;
  timeoutSeconds?: number;
  retries?: number;
  whenIdleSeconds?: number;
  holdSeconds?: number;
}

export interface SendReport {
  id: string;
  from: Endpoint;
  to: Endpoint;
  status: DeliveryStatus;
  attempts: number;
  latencyMs: number;
  detail?: string;
  pane: string;
}

/** Where the body comes from: -m, -f FILE, or stdin (exactly one). */
export async function readBody(opts: { message?: string; file?: string }, stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<string> {
  if (opts.message !== undefined && opts.file !== undefined) throw new UsageError('give the body with -m or -f, not both');
  if (opts.message !== undefined) return opts.message;
  if (opts.file !== undefined) {
    try {
      return readFileSync(opts.file === '-' ? 0 : opts.file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${opts.file}: ${(error as Error).message}`);
    }
  }
  if (stdin.isTTY) throw new UsageError('no message given', 'use -m MSG, -f FILE, or pipe the body on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Send one addressed message and report what really happened. */
export async function sendMessage(ctx: Context, input: SendInput): Promise<SendReport> {
  if (input.retries !== undefined && (!Number.isInteger(input.retries) || input.retries < 0)) throw new UsageError('--retries takes a whole number >= 0');
  const from = input.from ? parseEndpoint(input.from) : await detectSelf(ctx.env);
  const transport = ctx.transport('local');
  const id = newMessageId();
  const result = await transport.send(
    input.target,
    {
      from,
      toHost: input.toHost ?? localShortHostname(),
      body: input.body,
      preamble: input.preamble,
      raw: input.raw,
      ...(input.runtime ? { profile: input.runtime } : {}),
    },
    {
      ...(input.timeoutSeconds !== undefined ? { verifyTimeoutMs: input.timeoutSeconds * 1000 } : {}),
      ...(input.retries !== undefined ? { maxEnters: input.retries + 1 } : {}),
      ...(input.whenIdleSeconds !== undefined ? { whenIdleMs: input.whenIdleSeconds * 1000 } : {}),
      ...(input.holdSeconds !== undefined ? { holdMs: input.holdSeconds * 1000 } : {}),
    },
  );
  return {
    id,
    from,
    to: result.to,
    status: result.status,
    attempts: result.enters,
    latencyMs: result.latencyMs,
    pane: result.paneId,
    ...(result.detail ? { detail: result.detail } : {}),
  };
}

