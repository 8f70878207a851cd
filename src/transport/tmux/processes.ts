import type { Host } from '../../host/types.js';

// Agents' CLIs can leave background processes behind (Codex's app-server daemon re-parents to init), so `stop`
// records the whole process tree under the pane before killing the session and reaps what survives.
// POSIX sh + ps only, so it runs unchanged on a remote host.

const LIST_TREE = `
roots="$*"
ps -e -o pid= -o ppid= 2>/dev/null | awk -v roots="$roots" '
  BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
  { parent[$1] = $2; pids[NR] = $1 }
  END {
    changed = 1
    while (changed) { changed = 0; for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } } }
    for (p in keep) print p
  }'`;

// A zombie answers kill -0 but is already dead (in containers nobody may reap it): count it as gone.
const REAP = `
running() { kill -0 "$1" 2>/dev/null || return 1; case "$(ps -o stat= -p "$1" 2>/dev/null)" in Z*) return 1;; esac; return 0; }
for sig in TERM KILL; do
  alive=""
  for p in "$@"; do running "$p" && alive="$alive $p"; done
  [ -z "$alive" ] && exit 0
  for p in $alive; do kill -s "$sig" "$p" 2>/dev/null; done
  i=0; while [ $i -lt 20 ]; do
    still=""; for p in $alive; do running "$p" && still="$still $p"; done
    [ -z "$still" ] && exit 0
    sleep 0.05; i=$((i+1))
  done
done`;

/** Every pid in the trees rooted at `roots` (the roots included). */
export async function processTree(host: Host, roots: number[]): Promise<number[]> {
  if (roots.length === 0) return [];
  const r = await host.exec(['sh', '-c', LIST_TREE, 'sh', ...roots.map(String)], { timeoutMs: 10_000 });
  return r.stdout
    .split('\n')
    .map((s) => Number.parseInt(s.trim(), 10))
    .filter((n) => Number.isFinite(n) && n > 1);
}

/** TERM, then KILL, whatever of `pids` still runs. */
export async function reap(host: Host, pids: number[]): Promise<void> {
  if (pids.length === 0) return;
  await host.exec(['sh', '-c', REAP, 'sh', ...pids.map(String)], { timeoutMs: 15_000 });
}
