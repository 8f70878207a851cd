import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRosterJsonSchema, rosterJsonSchemaText, rosterSchemaAssetPath } from '../../src/roster/index.js';
import { validateJsonSchema } from './json-schema-subset.js';

const schema = buildRosterJsonSchema();
const valid = { version: 1, agents: [{ name: 'a' }] };

describe('assets/roster.schema.json', () => {
  it('matches the zod schema byte for byte (regenerate: npm run build && node dist/roster/write-schema.js)', () => {
    expect(readFileSync(rosterSchemaAssetPath(), 'utf8')).toBe(rosterJsonSchemaText());
  });

  it('has a title and description for editors', () => {
    expect(schema.title).toBe('mosaic-fleet roster');
    expect(typeof schema.description).toBe('string');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});

describe('the subset validator used on the profiles', () => {
  it('accepts a minimal roster', () => {
    expect(validateJsonSchema(schema, valid)).toEqual([]);
  });

  it('accepts restart in its short and long forms', () => {
    const roster = { version: 1, defaults: { restart: { policy: 'on-failure', max_restarts: 3, window_seconds: 60, backoff_seconds: 1, max_backoff_seconds: 8, kickstart: true } }, agents: [{ name: 'a', restart: 'always' }] };
    expect(validateJsonSchema(schema, roster)).toEqual([]);
  });

  it.each([
    ['an unknown key', { ...valid, agnets: [] }, "/: unknown property 'agnets'"],
    ['a wrong version', { ...valid, version: 2 }, '/version: expected const 1'],
    ['a bad enum', { ...valid, defaults: { launcher: 'x' } }, '/defaults/launcher: expected one of ["direct","mosaic"]'],
    ['a tmux-unsafe name', { version: 1, agents: [{ name: 'a.b' }] }, '/agents/0/name: does not match pattern'],
    ['no agents', { version: 1, agents: [] }, '/agents: fewer than 1 items'],
    ['a bad port', { ...valid, hosts: { h: { ssh: 'x', port: 0 } } }, '/hosts/h/port: below minimum 1'],
    ['a bad env name', { version: 1, agents: [{ name: 'a', env: { '1X': 'v' } }] }, '/agents/0/env/1X(key): does not match pattern'],
    ['a bad restart policy', { version: 1, agents: [{ name: 'a', restart: 'sometimes' }] }, '/agents/0/restart: matches no anyOf branch'],
    ['a bad restart limit', { version: 1, defaults: { restart: { max_restarts: 0 } }, agents: [{ name: 'a' }] }, '/defaults/restart: matches no anyOf branch'],
    ['a bad persona', { version: 1, agents: [{ name: 'a', persistent_persona: 'x' }] }, '/agents/0/persistent_persona: matches no anyOf branch'],
  ])('rejects %s', (_, value, expected) => {
    expect(validateJsonSchema(schema, value).join('\n')).toContain(expected);
  });

  it('refuses keywords it does not implement, so it cannot pass by ignoring them', () => {
    expect(() => validateJsonSchema({ oneOf: [] }, 1)).toThrow("unsupported JSON Schema keyword 'oneOf'");
  });
});
