// Run one of our executables under a real pseudo-terminal (util-linux `script`): what a person sees in a terminal.
import { spawnSync } from 'node:child_process';
import { BIN } from '../helpers/cli.js';

/** stdout and stderr are both the terminal; `shellTail` (e.g. `> out.txt`) is appended to the command line as is. */
export function underTerminal(bin: keyof typeof BIN, args: string[], env: NodeJS.ProcessEnv, shellTail = ''): { code: number | null; output: string } {
  const quoted = [process.execPath, BIN[bin], ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-q', '-e', '-c', `${quoted} ${shellTail}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { code: r.status, output: (r.stdout ?? '').replace(/\r/g, '') };
}
