// Which kind of device this browser runs on, as the court is told at login
// and in the room (the server tells phones the same way).

import { PHONE_AGENT_WORDS } from './protocol.js';

/** Whether this browser is a phone's or a tablet's. */
export function onPhone() {
  return PHONE_AGENT_WORDS.some((word) => navigator.userAgent.includes(word));
}

/** @returns {import('./protocol.js').DeviceKind} */
export function browserDevice() {
  return onPhone() ? 'phone_browser' : 'pc_browser';
}
