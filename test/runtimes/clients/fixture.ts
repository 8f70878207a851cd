// Load a captured real-client screen (capture-pane -p -e) from test/fixtures/screens.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCapture } from '../../../src/tmux/screen.js';
import type { RuntimeProfile, Screen, ScreenState } from '../../../src/runtimes/types.js';

const DIR = fileURLToPath(new URL('../../fixtures/screens/', import.meta.url));

export function loadScreen(name: string): Screen {
  return parseCapture(readFileSync(`${DIR}${name}.ansi`, 'utf8'));
}

export function parseFixture(profile: RuntimeProfile, name: string): ScreenState {
  return profile.parse(loadScreen(name));
}

/** The boolean/input part of a state, for compact toEqual assertions. */
export function summary(s: ScreenState) {
  return { input: s.input, busy: s.busy, queued: s.queued, ready: s.ready, dialog: s.dialog };
}
