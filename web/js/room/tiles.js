// The video wall: one tile per participant with a picture, role and name at
// the bottom left, the network quality, and double-click to enlarge (again to restore).

import { h } from '../dom.js';
import { NETWORK_LABELS, label } from '../labels.js';

/**
 * @typedef {{element: HTMLElement, video: HTMLVideoElement, caption: HTMLElement, network: HTMLElement}} Tile
 */

export class Tiles extends HTMLElement {
  constructor() {
    super();
    /** @type {Map<string, Tile>} */
    this.tiles = new Map();
  }

  connectedCallback() {
    this.classList.add('tiles');
  }

  /**
   * @param {string} key
   * @param {boolean} muted
   * @returns {Tile}
   */
  tile(key, muted) {
    let tile = this.tiles.get(key);
    if (!tile) {
      const video = h('video', { autoplay: true, playsInline: true, muted });
      const caption = h('span', { class: 'caption' });
      const network = h('span', { class: 'network' });
      const element = h('div', {
        class: 'tile',
        dataset: { tile: key },
        ondblclick: () => {
          const enlarged = !element.classList.contains('enlarged');
          for (const other of this.tiles.values()) other.element.classList.remove('enlarged');
          element.classList.toggle('enlarged', enlarged);
          this.classList.toggle('has-enlarged', enlarged);
        },
      }, video, caption, network);
      tile = { element, video, caption, network };
      this.tiles.set(key, tile);
      this.append(element);
    }
    return tile;
  }

  /** The participant's own camera, muted. */
  setLocal(/** @type {MediaStream} */ stream, /** @type {string} */ caption) {
    const tile = this.tile('me', true);
    tile.video.srcObject = stream;
    tile.caption.textContent = `${caption}（我）`;
  }

  /** Another participant's picture and sound. */
  setRemote(/** @type {number} */ participantId, /** @type {MediaStream} */ stream) {
    const tile = this.tile(String(participantId), false);
    if (tile.video.srcObject !== stream) tile.video.srcObject = stream;
    tile.element.hidden = false;
  }

  /**
   * Labels and shows the tiles as the room says: nobody offline, nobody blocked.
   * @param {import('../room.js').RoomView} room
   */
  update(room) {
    for (const [key, tile] of this.tiles) {
      const id = key === 'me' ? room.me.id : Number(key);
      const participant = room.participants.find((p) => p.id === id);
      if (!participant) {
        if (key !== 'me') tile.element.hidden = true;
        continue;
      }
      if (key !== 'me') {
        tile.caption.textContent = label(participant);
        tile.element.hidden = !participant.online || participant.blocked;
      }
      tile.network.textContent = participant.network ? `网络${NETWORK_LABELS[participant.network]}` : '';
      tile.network.className = `network ${participant.network ?? ''}`;
      tile.element.classList.toggle('camera-off', !participant.camera_on);
    }
  }

  /** Removes every remote picture (when blocked: nothing of the hearing). */
  clearRemote() {
    for (const [key, tile] of this.tiles) {
      if (key === 'me') continue;
      tile.video.srcObject = null;
      tile.element.remove();
      this.tiles.delete(key);
    }
  }
}

customElements.define('ct-tiles', Tiles);
