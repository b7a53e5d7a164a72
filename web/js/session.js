// Who is logged in, per browser tab (sessionStorage): a court staff member
// for the console, and/or a participant for one hearing's room.

const STAFF = 'cloudtrial.staff';
const PARTICIPANT = 'cloudtrial.participant';

/**
 * @typedef {{token: string, expires_at_ms: number, staff: {id: number, username: string, name: string, role: string}}} StaffSession
 * @typedef {{token: string, expires_at_ms: number, hearing_id: number, participant_id: number, role: string}} ParticipantSession
 */

/** @param {string} key */
function read(key) {
  try {
    const value = JSON.parse(sessionStorage.getItem(key) ?? 'null');
    return value && value.expires_at_ms > Date.now() ? value : null;
  } catch {
    return null;
  }
}

/** @returns {StaffSession|null} */
export function staffSession() {
  return read(STAFF);
}

/** @param {StaffSession|null} session */
export function setStaffSession(session) {
  if (session) sessionStorage.setItem(STAFF, JSON.stringify(session));
  else sessionStorage.removeItem(STAFF);
}

/** @returns {ParticipantSession|null} */
export function participantSession() {
  return read(PARTICIPANT);
}

/** @param {ParticipantSession|null} session */
export function setParticipantSession(session) {
  if (session) sessionStorage.setItem(PARTICIPANT, JSON.stringify(session));
  else sessionStorage.removeItem(PARTICIPANT);
}
