import { existsSync, readFileSync } from 'node:fs';

/**
 * The complete records of a JSON-lines file another process is still appending to.
 * A reader can catch a record half written, so a last line without its newline is left for the next read.
 */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
