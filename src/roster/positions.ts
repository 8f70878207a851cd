// Maps a value path (['agents', 2, 'runtime']) to the line and column of its YAML node.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Pair } from 'yaml';

export type ValuePath = readonly PropertyKey[];

export interface Position {
  line: number;
  column: number;
}

interface Located {
  node: unknown;
  /** The map entry holding `node`, when it was reached through a key. */
  pair?: Pair<unknown, unknown>;
}

/** Line/column lookups against one parsed roster document. */
export class RosterSource {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Where the value at `path` starts; for a missing key, where the nearest existing ancestor starts. */
  valuePosition(path: ValuePath): Position {
    const trail = this.walk(path);
    for (let i = trail.length - 1; i >= 0; i -= 1) {
      const step = trail[i]!;
      // An empty value (`name:`) has no text of its own, so point at its key.
      if (isEmptyScalar(step.node) && step.pair !== undefined) return this.keyOf(step.pair) ?? this.origin();
      const at = this.startOf(step.node);
      if (at !== undefined) return at;
    }
    return this.origin();
  }

  /** Where the key of the last path segment is written (unknown keys are reported there). */
  keyPosition(path: ValuePath): Position {
    const trail = this.walk(path);
    const last = trail.length === path.length + 1 ? trail[trail.length - 1] : undefined;
    const at = last?.pair === undefined ? undefined : this.keyOf(last.pair);
    return at ?? this.valuePosition(path);
  }

  /** Nodes from the document root down the path, as far as it exists. */
  private walk(path: ValuePath): Located[] {
    const trail: Located[] = [{ node: this.doc.contents }];
    for (const segment of path) {
      const next = this.child(trail[trail.length - 1]!.node, segment);
      if (next === undefined) break;
      trail.push(next);
    }
    return trail;
  }

  private child(parent: unknown, segment: PropertyKey): Located | undefined {
    const node = isAlias(parent) ? parent.resolve(this.doc) : parent;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      return pair === undefined ? undefined : { node: pair.value, pair };
    }
    if (isSeq(node) && typeof segment === 'number') {
      return segment < node.items.length ? { node: node.items[segment] } : undefined;
    }
    return undefined;
  }

  private keyOf(pair: Pair<unknown, unknown>): Position | undefined {
    return this.startOf(pair.key);
  }

  private startOf(node: unknown): Position | undefined {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    if (range === undefined || range === null) return undefined;
    const { line, col } = this.lineCounter.linePos(range[0]);
    return { line, column: col };
  }

  private origin(): Position {
    return this.startOf(this.doc.contents) ?? { line: 1, column: 1 };
  }

  /** Position of a raw character offset (YAML syntax errors carry offsets). */
  offsetPosition(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.source === '';
}
