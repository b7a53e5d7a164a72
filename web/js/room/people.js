// 参与人: everyone in the hearing with presence, the device they joined from, network, 已屏蔽 and 已静音,
// 申请圈注 and 可圈注, and the judge's per-person actions (屏蔽 / 传唤 / 静音,
// 通过 / 拒绝 a 申请圈注, 收回圈注) — only those the
// protocol allows on that person, and none once the hearing is over.

import { h, replace } from '../dom.js';
import { BLOCKABLE_ROLES, DEVICE_LABELS, NETWORK_LABELS, OVER_STATUSES } from '../protocol.js';
import { label } from '../labels.js';
import { roomOf } from './context.js';

export class People extends HTMLElement {
  connectedCallback() {
    const room = roomOf(this);
    if (!room) return;
    this.list = h('ul', { class: 'people' });
    replace(this, this.list);
    this.unsubscribe = room.subscribe((state) => this.render(room, state));
  }

  disconnectedCallback() {
    this.unsubscribe?.();
  }

  /**
   * @param {import('../pages/room.js').RoomPage} room
   * @param {import('../pages/room.js').RoomState} state
   */
  render(room, state) {
    const view = state.view;
    if (!this.list || !view || state.blocked) return;
    const acting = state.presides && !OVER_STATUSES.includes(view.status);
    replace(this.list, view.participants.map((p) => h('li', {
      class: `person${p.online ? ' online' : ''}${p.blocked ? ' blocked' : ''}`, dataset: { participant: String(p.id) },
    },
    h('span', { class: 'who' }, label(p), p.id === view.me.id ? '（我）' : ''),
    h('span', { class: 'presence' }, p.online ? '在线' : '离线'),
    p.online && p.device ? h('span', { class: 'device' }, DEVICE_LABELS[p.device]) : null,
    p.network ? h('span', { class: `network ${p.network}` }, NETWORK_LABELS[p.network]) : null,
    p.blocked ? h('span', { class: 'flag' }, '已屏蔽') : null,
    p.muted ? h('span', { class: 'flag muted' }, '已静音') : null,
    p.annotating === 'requested' ? h('span', { class: 'flag annotation' }, '申请圈注') : null,
    p.annotating === 'allowed' ? h('span', { class: 'flag annotation' }, '可圈注') : null,
    acting && p.annotating === 'requested'
      ? [
        h('button', { type: 'button', class: 'link', name: 'allow-annotation', onclick: () => room.command({ action: 'allow_annotation', participant_id: p.id }) }, '通过'),
        h('button', { type: 'button', class: 'link', name: 'refuse-annotation', onclick: () => room.command({ action: 'refuse_annotation', participant_id: p.id }) }, '拒绝'),
      ]
      : null,
    acting && p.annotating === 'allowed'
      ? h('button', { type: 'button', class: 'link', name: 'withdraw-annotation', onclick: () => room.command({ action: 'withdraw_annotation', participant_id: p.id }) }, '收回圈注')
      : null,
    acting && BLOCKABLE_ROLES.includes(p.role)
      ? h('button', { type: 'button', class: 'link', name: p.blocked ? 'summon' : 'block', onclick: () => room.command({ action: p.blocked ? 'summon' : 'block', participant_id: p.id }) }, p.blocked ? '传唤' : '屏蔽')
      : null,
    acting && p.id !== view.me.id
      ? h('button', { type: 'button', class: 'link', name: p.muted ? 'unmute' : 'mute', onclick: () => room.command({ action: 'set_muted', participant_id: p.id, muted: !p.muted }) }, p.muted ? '取消静音' : '静音')
      : null)));
  }
}

customElements.define('ct-people', People);
