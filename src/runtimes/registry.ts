import type { RuntimeProfile } from './types.js';
import { genericProfile } from './generic.js';
import { simProfile } from './sim.js';
import { shellProfile } from './shell.js';
import { claudeProfile } from './claude.js';
import { codexProfile } from './codex.js';
import { piProfile } from './pi.js';
import { opencodeProfile } from './opencode.js';
import { geminiProfile } from './gemini.js';

const profiles = new Map<string, RuntimeProfile>(
  [genericProfile, simProfile, shellProfile, claudeProfile, codexProfile, piProfile, opencodeProfile, geminiProfile].map((p) => [p.name, p]),
);

/** Register a runtime profile (e.g. a custom REPL reader from a host program). */
export function registerProfile(profile: RuntimeProfile): void {
  profiles.set(profile.name, profile);
}

/** The profile for a runtime name; unknown names read the screen generically. */
export function profileFor(name: string | undefined): RuntimeProfile {
  return (name && profiles.get(name)) || genericProfile;
}

export function knownProfiles(): string[] {
  return [...profiles.keys()];
}
