import { describe, expect, it } from 'vitest';
import { DEFAULT_KICKSTART_TEMPLATE, parseRoster, resolveAgents } from '../../src/roster/index.js';
import { DEFAULT_RESTART } from '../../src/roster/resolve.js';

const env = { HOME: '/tmp' };

function resolve(yaml: string) {
  return resolveAgents(parseRoster(yaml, 'r.yaml', { env, checkDirectories: false }), env);
}

describe('resolveAgents', () => {
  it('fills every field from defaults when the agent says nothing', () => {
    expect(resolve('version: 1\nagents:\n  - name: a\n')).toEqual([
      {
        name: 'a',
        runtime: 'claude',
        baseRuntime: 'claude',
        class: 'implementer',
        modelHint: undefined,
        persistentPersona: false,
        resetBetweenTasks: false,
        kickstartTemplate: DEFAULT_KICKSTART_TEMPLATE,
        workingDirectory: '/tmp',
        env: {},
        host: 'local',
        launcher: 'direct',
        piSkillMode: undefined,
        resetCommand: undefined,
        readyTimeoutMs: 60_000,
        deliveryReceipt: 'screen',
        restart: { policy: 'never', maxRestarts: 5, windowMs: 600_000, backoffMs: 2_000, maxBackoffMs: 60_000, kickstart: false },
      },
    ]);
  });

  it('merges runtime overrides, custom runtimes and agent settings', () => {
    const yaml = [
      'version: 1',
      'defaults: { runtime: pi, launcher: mosaic, pi_skill_mode: all, ready_timeout_seconds: 2.5, working_directory: /srv }',
      'runtimes:',
      '  pi: { reset_command: /new, env: { A: "1", B: "runtime" } }',
      '  aider: { command: "aider --yes", base: codex, reset_command: null }',
      '  raw: { command: [bash, -i] }',
      'hosts:',
      '  box: { ssh: me@box }',
      'agents:',
      '  - { name: p, env: { B: agent }, pi_skill_mode: none, class: reviewer, model_hint: GPT, persistent_persona: semi, reset_between_tasks: true }',
      '  - { name: c, runtime: aider, launcher: direct, kickstart_template: "hi {{name}}" }',
      '  - { name: r, runtime: raw, host: box, working_directory: ~/w }',
      '  - { name: o, runtime: claude, command: "claude --resume" }',
    ].join('\n');
    const [p, c, r, o] = resolve(yaml);
    expect(p).toMatchObject({
      runtime: 'pi',
      baseRuntime: 'pi',
      class: 'reviewer',
      modelHint: 'GPT',
      persistentPersona: 'semi',
      resetBetweenTasks: true,
      env: { A: '1', B: 'agent' },
      launcher: 'mosaic',
      piSkillMode: 'none',
      resetCommand: '/new',
      readyTimeoutMs: 2500,
      workingDirectory: '/srv',
    });
    expect(p!.command).toBeUndefined();
    expect(c).toMatchObject({ runtime: 'aider', baseRuntime: 'codex', command: ['sh', '-c', 'aider --yes'], launcher: 'direct', resetCommand: null, piSkillMode: 'all', kickstartTemplate: 'hi {{name}}' });
    expect(r).toMatchObject({ runtime: 'raw', baseRuntime: 'shell', command: ['bash', '-i'], host: 'box', workingDirectory: '~/w' });
    expect(o).toMatchObject({ baseRuntime: 'claude', command: ['sh', '-c', 'claude --resume'], resetCommand: undefined });
  });

  it('merges restart field by field: agent over defaults over the builtin policy, short form setting only the policy', () => {
    const yaml = [
      'version: 1',
      'defaults: { restart: { policy: on-failure, max_restarts: 3, backoff_seconds: 0.5, kickstart: true } }',
      'agents:',
      '  - { name: inherit }',
      '  - { name: short, restart: always }',
      '  - { name: long, restart: { window_seconds: 30, max_backoff_seconds: 4, kickstart: false } }',
    ].join('\n');
    const [inherit, short, long] = resolve(yaml);
    expect(inherit!.restart).toEqual({ ...DEFAULT_RESTART, policy: 'on-failure', maxRestarts: 3, backoffMs: 500, kickstart: true });
    expect(short!.restart).toEqual({ ...DEFAULT_RESTART, policy: 'always', maxRestarts: 3, backoffMs: 500, kickstart: true });
    expect(long!.restart).toEqual({ policy: 'on-failure', maxRestarts: 3, windowMs: 30_000, backoffMs: 500, maxBackoffMs: 4_000, kickstart: false });
  });

  it('leaves an agent with no restart anywhere at never (a dead REPL stays dead, as before)', () => {
    expect(resolve('version: 1\ndefaults: { restart: always }\nagents:\n  - { name: a, restart: never }\n')[0]!.restart.policy).toBe('never');
  });
});
