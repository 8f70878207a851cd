// Drop-in shell helpers for agents (agent-send.sh, send-message.sh) that delegate to `mosaic-agent send`.
export { AGENT_SEND, SEND_MESSAGE, TOOLS_MARKER, renderAgentSend, renderSendMessage, renderTools, shQuote, type ToolFile, type ToolsInput } from './render.js';
export { BACKUP_SUFFIX, defaultToolsDir, installTools, type InstallToolsOptions, type InstallToolsReport, type ToolFileReport } from './install.js';
