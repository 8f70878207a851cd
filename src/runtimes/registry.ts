import type { RuntimeProfile } from './types.js';
import { genericProfile } from './generic.js';
import { simProfile } from './sim.js';
import { shellProfile } from './shell.js';

const profiles = new Map<string, RuntimeProfile>([
  ['generic', genericProfile],
  ['sim', simProfile],
  ['shell', shellProfile],
]);

/** Register a runtime profile (the real-client profiles register themselves from runtimes/index.ts). */
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
