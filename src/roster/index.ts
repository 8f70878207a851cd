// The roster: schema, loading with exact error positions, agent resolution, kickstarts and starter profiles.
export {
  AGENT_CLASSES,
  BUILTIN_RUNTIMES,
  DEFAULT_HOLDER_SESSION,
  DEFAULT_SOCKET_NAME,
  LAUNCHERS,
  LOCAL_HOST,
  PI_SKILL_MODES,
  RosterSchema,
  TRANSPORTS,
  isBuiltinRuntime,
  type AgentClass,
  type AgentSpec,
  type BuiltinRuntime,
  type HostSpec,
  type Launcher,
  type Roster,
  type RosterInput,
  type RuntimeOverride,
} from './schema.js';
export { INIT_HINT, loadRoster, parseRoster, type ParseRosterOptions } from './load.js';
export { RosterError, formatRosterIssues, type RosterIssue } from './issues.js';
export { AGENT_NAME_PATTERN, checkAgentName, didYouMean, suggestAgentName } from './names.js';
export { expandPath, homeDir, mosaicHome, resolveRosterPath, ROSTER_ENV, type RosterPathOptions } from './paths.js';
export { DEFAULT_AGENT_CLASS, resolveAgents, toArgv, type ResolvedAgent } from './resolve.js';
export {
  DEFAULT_KICKSTART_TEMPLATE,
  KICKSTART_PLACEHOLDERS,
  kickstartVars,
  parseKickstartVars,
  renderKickstart,
  type KickstartAgent,
} from './kickstart.js';
export {
  CLASS_KICKSTARTS,
  PROFILES,
  PROFILE_DESCRIPTIONS,
  isProfileName,
  profileRoster,
  renderProfile,
  type ProfileName,
  type RenderProfileOptions,
} from './profiles.js';
export { buildRosterJsonSchema, rosterJsonSchemaText, rosterSchemaAssetPath } from './json-schema.js';
