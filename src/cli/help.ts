// The end of every --help: the command's exit codes and where the guide explains it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../paths.js';

/** A guide page and one of its section headings, e.g. ['running.md', 'send']. */
export type GuidePlace = [page: string, section?: string];

/** Append "Exit codes: ..." and "Guide: ..." to `cmd`'s help (after its examples: call this after examples()). */
export function helpFooter(cmd: Command, exits: string, place: GuidePlace): Command {
  return cmd.addHelpText('after', () => `\nExit codes: ${exits}\n  all codes: ${guideRef(['running.md', 'Exit codes'])}\nGuide: ${guideRef(place)}\n`);
}

/** The guide page as an absolute path when the docs are here (a clone), else where to find it in the source. */
export function guideRef([page, section]: GuidePlace): string {
  const file = join(packageRoot(), 'docs', page);
  const where = existsSync(file) ? file : `docs/${page} in the mosaic-fleet source`;
  return section ? `${where}, section "${section}"` : where;
}

// The codes most commands share.
export const COMMON_EXITS = '3 usage, 4 tmux or ssh failed, 5 roster invalid or missing';
