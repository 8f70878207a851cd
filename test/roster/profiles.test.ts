import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGENT_CLASSES,
  PROFILES,
  parseRoster,
  renderProfile,
  resolveAgents,
  rosterSchemaAssetPath,
} from '../../src/roster/index.js';
import { validateJsonSchema } from './json-schema-subset.js';

// A fresh HOME proves the profiles validate on a machine with nothing but a home directory.
const home = mkdtempSync(join(tmpdir(), 'profile-home-'));
const env = { HOME: home };
afterAll(() => rmSync(home, { recursive: true, force: true }));
const committedSchema = JSON.parse(readFileSync(rosterSchemaAssetPath(), 'utf8')) as Record<string, unknown>;

function render(name: string): string {
  return renderProfile(name, { schemaPath: '../../assets/roster.schema.json' });
}

function agentsOf(name: string) {
  return resolveAgents(parseRoster(render(name), 'roster.yaml', { env }), env);
}

describe.each(PROFILES)('profile %s', (name) => {
  it('starts with the yaml-language-server schema comment and a description line', () => {
    const [first, second] = render(name).split('\n');
    expect(first).toBe('# yaml-language-server: $schema=../../assets/roster.schema.json');
    expect(second).toMatch(new RegExp(`^# mosaic-fleet roster, profile "${name}": .+`, 'u'));
  });

  it('passes parseRoster with the directory check on', () => {
    expect(() => parseRoster(render(name), 'roster.yaml', { env })).not.toThrow();
  });

  it('validates against the committed JSON Schema itself (subset validator)', () => {
    expect(validateJsonSchema(committedSchema, parse(render(name)))).toEqual([]);
  });

  it('gives every agent a kickstart template that mentions its name, and a known class', () => {
    for (const agent of agentsOf(name)) {
      expect(agent.kickstartTemplate).toContain('{{name}}');
      expect(AGENT_CLASSES).toContain(agent.class);
      expect(agent.workingDirectory).toBe(home);
    }
  });
});

describe('profile contents', () => {
  it('minimal: orchestrator, two implementers, three reviewers on claude', () => {
    expect(agentsOf('minimal').map((a) => [a.name, a.class, a.runtime])).toEqual([
      ['mos-claude', 'orchestrator', 'claude'],
      ['coder0', 'implementer', 'claude'],
      ['coder1', 'implementer', 'claude'],
      ['rev0', 'reviewer', 'claude'],
      ['secrev0', 'security_reviewer', 'claude'],
      ['ultron', 'final_reviewer', 'claude'],
    ]);
  });

  it('demo: three sim agents on their own socket', () => {
    const roster = parseRoster(render('demo'), 'roster.yaml', { env });
    expect(roster.tmux.socket_name).not.toBe('mosaic-factory');
    expect(resolveAgents(roster, env).map((a) => [a.name, a.runtime])).toEqual([
      ['alpha', 'sim'],
      ['bravo', 'sim'],
      ['charlie', 'sim'],
    ]);
  });

  it('usc: the 13 slots of the plan with their runtimes, hints and persona flags', () => {
    const rows = agentsOf('usc').map((a) => [a.name, a.runtime, a.class, a.modelHint, a.persistentPersona, a.resetBetweenTasks]);
    const opus = 'Claude Opus';
    const gpt = 'Pi GPT-5.5';
    expect(rows).toEqual([
      ['mos-claude', 'claude', 'orchestrator', opus, true, false],
      ['coder0', 'claude', 'implementer', opus, false, true],
      ['coder1', 'claude', 'implementer', opus, false, true],
      ['coder2', 'pi', 'implementer', gpt, false, true],
      ['coder3', 'pi', 'implementer', gpt, false, true],
      ['coder4', 'claude', 'implementer', opus, false, true],
      ['coder5', 'claude', 'implementer', opus, false, true],
      ['enhance', 'claude', 'enhancer', opus, 'semi', false],
      ['rev0', 'pi', 'reviewer', gpt, false, true],
      ['rev1', 'pi', 'reviewer', gpt, false, true],
      ['secrev0', 'pi', 'security_reviewer', gpt, false, true],
      ['secrev1', 'pi', 'security_reviewer', gpt, false, true],
      ['ultron', 'pi', 'final_reviewer', gpt, 'semi', false],
    ]);
  });

  it('an unknown profile is a usage error listing the choices', () => {
    expect(() => render('huge')).toThrow("unknown profile 'huge'");
  });
});
