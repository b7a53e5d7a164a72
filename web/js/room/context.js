// How a panel finds the room it is in (the <ct-room> element, pages/room.js).

/**
 * @param {Element} element
 * @returns {import('../pages/room.js').RoomPage|null}
 */
export function roomOf(element) {
  return /** @type {any} */ (element.closest('ct-room'));
}
