// Which kind of device this browser runs on, as the court is told at login
// and in the room.

/** Whether this browser is a phone's or a tablet's. */
export function onPhone() {
  return /Android|iPhone|iPad|iPod|Mobile|HarmonyOS/.test(navigator.userAgent);
}

/** @returns {import('./protocol.js').DeviceKind} */
export function browserDevice() {
  return onPhone() ? 'phone_browser' : 'pc_browser';
}
