import { describe, expect, it } from 'vitest';
import { buildPlan, faultCounts, tokensIn, tokenFor, PERSON_DRAFT_MESSAGES, STOP_QUEUE_MESSAGES } from '../../src/soak/plan.js';
import { sampleIndices, seededRng } from '../../src/soak/random.js';

const input = { seed: 11, messages: 300, agents: 20, layouts: ['claude', 'bare'] as const, faults: true };

describe('soak plan', () => {
  it('is the same for the same seed and different for another', () => {
    expect(buildPlan({ ...input, layouts: [...input.layouts] })).toEqual(buildPlan({ ...input, layouts: [...input.layouts] }));
    expect(buildPlan({ ...input, layouts: ['claude'], seed: 12 }).regular.map((m) => m.body)).not.toEqual(buildPlan({ ...input, layouts: ['claude'] }).regular.map((m) => m.body));
  });

  it('has exactly the requested messages, each with a unique token in its body', () => {
    const plan = buildPlan({ ...input, layouts: ['claude'] });
    const all = [...plan.regular, ...plan.episodes.flatMap((e) => e.messages)];
    expect(all).toHaveLength(300);
    expect(new Set(all.map((m) => m.index)).size).toBe(300);
    for (const m of all) expect(tokensIn(plan.runId, m.body)).toEqual([m.index]);
  });

  it('gives agents layouts round-robin and mixes busy times so queueing happens', () => {
    const plan = buildPlan({ ...input, layouts: ['claude', 'bare'] });
    expect(plan.agents.map((a) => a.layout).slice(0, 4)).toEqual(['claude', 'bare', 'claude', 'bare']);
    expect(new Set(plan.agents.map((a) => a.busyMs)).size).toBeGreaterThan(1);
    expect(plan.agents.every((a) => a.swallowMs === 150)).toBe(true);
  });

  it('plans every kind of fault, each on a different message', () => {
    const plan = buildPlan({ ...input, layouts: ['claude'] });
    const counts = faultCounts(300, true);
    const kills = plan.regular.filter((m) => m.kill);
    expect(kills.filter((m) => m.kill === 'paste')).toHaveLength(counts.killsPerPoint);
    expect(kills.filter((m) => m.kill === 'enter')).toHaveLength(counts.killsPerPoint);
    expect(kills.filter((m) => m.kill === 'submit')).toHaveLength(counts.killsPerPoint);
    expect(kills.every((m) => !m.queue && m.restartAfterMs === null && m.killDelayMs !== null)).toBe(true);
    expect(plan.regular.filter((m) => m.restartAfterMs !== null)).toHaveLength(counts.restarts);
    expect(plan.episodes.filter((e) => e.kind === 'stop-queue')).toHaveLength(counts.stopQueue);
    expect(plan.episodes.filter((e) => e.kind === 'person-draft')).toHaveLength(counts.personDraft);
    for (const e of plan.episodes) expect(e.messages.every((m) => m.agent === e.agent && m.queue === (e.kind === 'stop-queue'))).toBe(true);
  });

  it('without --mixed: every agent swallows, none has a placeholder, and nothing is wedged', () => {
    const plan = buildPlan({ ...input, layouts: ['claude'] });
    expect(plan.agents.every((a) => a.enterPolicy === 'swallow' && a.placeholder === null)).toBe(true);
    expect(plan.episodes.some((e) => e.kind === 'wedge')).toBe(false);
  });

  it('with --mixed: every Enter policy, some placeholders, and wedges on the agent of an in-flight send', () => {
    const plan = buildPlan({ ...input, layouts: ['claude'], mixed: true });
    expect(new Set(plan.agents.map((a) => a.enterPolicy))).toEqual(new Set(['swallow', 'ignore-first', 'newline']));
    expect(plan.agents.filter((a) => a.placeholder !== null).length).toBeGreaterThan(0);
    const wedges = plan.episodes.filter((e) => e.kind === 'wedge');
    expect(wedges).toHaveLength(faultCounts(300, true, true).wedges);
    for (const w of wedges) expect(w.agent).toBe(plan.regular[w.at]!.agent);
    expect([...plan.regular, ...plan.episodes.flatMap((e) => e.messages)]).toHaveLength(300);
  });

  it('plans no faults with --no-faults', () => {
    const plan = buildPlan({ ...input, layouts: ['claude'], faults: false });
    expect(plan.episodes).toEqual([]);
    expect(plan.regular.some((m) => m.kill || m.restartAfterMs !== null)).toBe(false);
  });

  it('keeps a tiny run mostly unfaulted', () => {
    const c = faultCounts(9, true);
    expect(c.stopQueue * STOP_QUEUE_MESSAGES + c.personDraft * PERSON_DRAFT_MESSAGES).toBeLessThanOrEqual(3);
    expect(c.restarts).toBeLessThanOrEqual(2);
  });

  it('tells tokens apart when one index is a prefix of another', () => {
    expect(tokensIn('ab', `${tokenFor('ab', 1)} and ${tokenFor('ab', 12)} and ${tokenFor('zz', 3)}`)).toEqual([1, 12]);
  });
});

describe('seeded random', () => {
  it('samples distinct indices in range, never an excluded one', () => {
    const picked = sampleIndices(seededRng(3), 50, 20, new Set([0, 1, 2]));
    expect(new Set(picked).size).toBe(20);
    expect(picked.every((i) => i >= 3 && i < 50)).toBe(true);
    expect(picked).toEqual([...picked].sort((a, b) => a - b));
  });
});
