// The video wall: one tile per participant with a picture, role and name at
// the bottom left, the network quality, and a muted icon. Double-click
// enlarges a tile (keeping its picture's proportions) with the others in a
// strip below; double-click again restores.

import { h } from '../dom.js';
import { NETWORK_LABELS, label } from '../labels.js';

/**
 * @typedef {{element: HTMLElement, video: HTMLVideoElement, caption: HTMLElement, network: HTMLElement, mic: HTMLElement}} Tile
 */

/** A microphone with a stroke through it. */
function mutedIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  for (const d of ['M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M5 11a7 7 0 0 0 14 0M12 18v3', 'M3 3l18 18']) {
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2');
    path.setAttribute('stroke-linecap', 'round');
    svg.append(path);
  }
  return svg;
}

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
      const mic = h('span', { class: 'mic-off', hidden: true, role: 'img' }, mutedIcon());
      const element = h('div', {
        class: 'tile',
        dataset: { tile: key },
        title: '双击放大/还原',
        ondblclick: () => {
          const enlarged = !element.classList.contains('enlarged');
          for (const other of this.tiles.values()) other.element.classList.remove('enlarged');
          element.classList.toggle('enlarged', enlarged);
          this.classList.toggle('has-enlarged', enlarged);
        },
      }, video, caption, network, mic);
      tile = { element, video, caption, network, mic };
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
   * @param {import('../protocol.js').RoomView} room
   */
  update(room) {
    for (const [key, tile] of this.tiles) {
      const id = key === 'me' ? room.me.id : Number(key);
      const participant = room.participants.find((p) => p.id === id) ?? (key === 'me' ? room.me : undefined);
      if (!participant) {
        if (key !== 'me') tile.element.hidden = true;
        continue;
      }
      if (key !== 'me') {
        tile.caption.textContent = label(participant);
        tile.element.hidden = !participant.online || participant.blocked;
      } else {
        tile.caption.textContent = `${label(participant)}（我）`;
      }
      tile.network.textContent = participant.network ? `网络${NETWORK_LABELS[participant.network]}` : '';
      tile.network.className = `network ${participant.network ?? ''}`;
      tile.element.classList.toggle('camera-off', !participant.camera_on);
      // Muted by the judge, or the participant's own microphone switched off.
      const silent = participant.muted || !participant.microphone_on;
      tile.mic.hidden = !silent;
      tile.mic.title = participant.muted ? '已被法官静音' : '麦克风已关闭';
      tile.mic.setAttribute('aria-label', tile.mic.title);
      tile.element.classList.toggle('muted', participant.muted);
    }
    if (![...this.tiles.values()].some((t) => t.element.classList.contains('enlarged') && !t.element.hidden)) {
      this.classList.remove('has-enlarged');
    }
  }

  /**
   * Removes every remote picture (when blocked: nothing of the hearing), and with `local` the
   * participant's own (when the hearing is over).
   */
  clear(local = false) {
    for (const [key, tile] of this.tiles) {
      if (key === 'me' && !local) continue;
      tile.video.srcObject = null;
      tile.element.remove();
      this.tiles.delete(key);
    }
  }
}

customElements.define('ct-tiles', Tiles);
