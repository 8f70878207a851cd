// The roster's JSON Schema, generated from the zod schema so editors and the validator never disagree.
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { RosterSchema } from './schema.js';

/** JSON Schema (draft 2020-12) of the roster file as written: defaulted keys are optional. */
export function buildRosterJsonSchema(): Record<string, unknown> {
  // io 'input' describes what a person writes (before defaults and env value coercion), which is what editors check.
  return z.toJSONSchema(RosterSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The committed file's exact text: two-space JSON and a trailing newline. */
export function rosterJsonSchemaText(): string {
  return `${JSON.stringify(buildRosterJsonSchema(), null, 2)}\n`;
}

/** assets/roster.schema.json of this package (same relative place from src/roster and dist/roster). */
export function rosterSchemaAssetPath(): string {
  return fileURLToPath(new URL('../../assets/roster.schema.json', import.meta.url));
}
