// The court's words for the protocol's values: the tables come from the
// protocol crate (protocol.js, generated); this adds how a person is named.

export {
  ROLE_LABELS, STATUS_LABELS, SIDE_LABELS, NETWORK_LABELS, KIND_LABELS, DEVICE_LABELS, STAFF_ROLE_LABELS,
  SMS_KIND_LABELS, SMS_STATUS_LABELS, CHANNEL_LABELS, STANCE_LABELS, ROLE_SIDES, SIDE_ORDER, JUDGE_ROLES,
  COURT_ROLES, EVIDENCE_ROLES, EVIDENCE_SIDES, SIGNING_ROLES, BLOCKABLE_ROLES, PRIVATE_KINDS, JUDGE_ACTIONS,
} from './protocol.js';
import { ROLE_LABELS } from './protocol.js';

/** "原告 张三" */
export function label(/** @type {{role: string, name: string}} */ p) {
  return `${ROLE_LABELS[/** @type {import('./protocol.js').ParticipantRole} */ (p.role)] ?? p.role} ${p.name}`;
}
