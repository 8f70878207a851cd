// systemd user units for the fleet: rendering, installing, checking, and asking the user manager.
export {
  AGENT_TEMPLATE_UNIT,
  GENERATED_MARKER,
  HOLDER_UNIT,
  LEGACY_DELIVER_UNIT,
  SERVE_UNIT,
  agentEnvDir,
  agentEnvPath,
  agentUnitName,
  instanceNameProblem,
  renderAgentEnv,
  renderAgentTemplate,
  renderHolderUnit,
  renderServeUnit,
  renderUnits,
  type AgentUnitInput,
  type GeneratedFile,
  type GeneratedKind,
  type RenderedUnits,
  type UnitInput,
} from './render.js';
export {
  CAPTURED_ENV,
  buildUnitInput,
  capturedEnvironment,
  uniquePath,
  displayCommand,
  fleetSocket,
  installSystemd,
  type EnableReport,
  type EnableStep,
  type FileReport,
  type InstallSystemdOptions,
  type InstallSystemdReport,
} from './install.js';
export { checkInstalledUnits, readUnitDirectives, type CheckOptions, type InstallCheck, type InstallProblem, type UnitDirective } from './check.js';
export {
  currentUser,
  defaultUnitDir,
  lingerState,
  readLinger,
  LINGER_DIR,
  type LingerOptions,
  probeUserManager,
  systemctlUser,
  unitsInstalled,
  userManagerAvailable,
  type LingerState,
  type SystemctlOptions,
  type UserManagerProbe,
} from './systemctl.js';
export { systemdCgroup, tmuxServerOwner, unitOfCgroup, type ServerOwner } from './cgroup.js';
export { applyChanges, hasMarker, planStale, planWrite, type FileChange, type FileStatus, type FileToWrite, type PlanOptions } from './files.js';
export {
  envFileLine,
  environmentAssignment,
  escapeSpecifiers,
  execArg,
  execLine,
  expandSpecifiers,
  parseEnvFile,
  parseEnvironmentLine,
  parseExecLine,
  type ExpandOptions,
} from './quote.js';
export { UNIT_PROPERTIES, parseUnitStates, supervisionChecks, type SupervisionInput, type UnitState } from './health.js';
