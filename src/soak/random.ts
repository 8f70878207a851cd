// A small seeded generator: the same --seed gives the same plan (targets, bodies, which sends get faults).

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [lo, hi] (both included). */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** true with probability p. */
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast, and good enough to spread faults; not for anything secret. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    chance: (p) => next() < p,
  };
}

/** `count` distinct indices from [0, n), in ascending order. */
export function sampleIndices(rng: Rng, n: number, count: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const free = Array.from({ length: n }, (_, i) => i).filter((i) => !exclude.has(i));
  const chosen: number[] = [];
  for (let k = 0; k < count && free.length > 0; k++) chosen.push(free.splice(rng.int(0, free.length - 1), 1)[0]!);
  return chosen.sort((x, y) => x - y);
}
