import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the installed package (the folder holding package.json, assets/ and dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'assets'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('mosaic-fleet: cannot find the package root (assets/ missing)');
}

/** The tmux config that ships in the package; every server we create starts with it. */
export function shippedTmuxConf(): string {
  return join(packageRoot(), 'assets', 'tmux.conf');
}

let loadedVersion: string | undefined;

/** The version of the code this process runs: read once, so a package upgraded under a running service is not taken
 *  for what that service runs. */
export function packageVersion(): string {
  loadedVersion ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return loadedVersion;
}

/** The bundled demo REPL. */
export function simEntry(): string {
  return join(packageRoot(), 'dist', 'sim', 'main.js');
}
