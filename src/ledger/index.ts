// Public surface of the message ledger (storage only; send/deliver/CLI wire it in).
export { Ledger, DELIVERED, matches } from './ledger.js';
export { SupervisionLog, type AgentDeath, type RevivalOutcome, type RevivalResult, type SupervisionRecord } from './supervision.js';
export { parseSince, formatLogTable, formatTime, type LogTableOptions } from './format.js';
export { newId, isId, idTime } from './ids.js';
export { isAlive, selfRef } from './proc.js';
export {
  isFinal,
  type Attempt,
  type AttemptInfo,
  type AttemptOutcome,
  type CreateInput,
  type DeliveryStatus,
  type Endpoint,
  type LedgerWarning,
  type ListFilter,
  type MessageKind,
  type MessageRecord,
  type ProcessRef,
} from './types.js';
