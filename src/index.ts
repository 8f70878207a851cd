// Library entry: mount the commands into an existing commander program, or use the core directly.
export { registerFleetCommands, addFleetCommands } from './cli/fleet.js';
export { registerAgentCommands, addAgentCommands } from './cli/agent.js';
export { FleetError, UsageError, CommandError, ExitCode } from './errors.js';
export type { Transport, AgentLaunch, AgentStatus, FleetOverview, OutgoingMessage, SendOptions, SendResult } from './transport/types.js';
export type { RuntimeProfile, Screen, ScreenState } from './runtimes/types.js';
