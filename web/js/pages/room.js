// The hearing room (视频庭审): the video wall, the speech recognition panel on
// the left, participants and the judge's controls, and 举证质证.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { JUDGE_ROLES, NETWORK_LABELS, PARTY_SIDES, ROLE_LABELS, ROLE_SIDES, STATUS_LABELS, label } from '../labels.js';
import { MediaLink } from '../media.js';
import { go } from '../nav.js';
import { CONNECTION_LABELS, RoomConnection } from '../room.js';
import { participantSession, setParticipantSession } from '../session.js';
import '../room/device-check.js';
import '../room/evidence.js';
import '../room/record.js';
import '../room/tiles.js';

/** @typedef {import('../room.js').RoomView} RoomView */

class RoomPage extends HTMLElement {
  wasReconnecting = false;

  async connectedCallback() {
    const session = participantSession();
    if (!session) return go('#/join');
    this.session = session;
    let details;
    try {
      details = await api('GET', `/api/hearings/${session.hearing_id}/details`, { token: session.token });
    } catch (e) {
      if (/** @type {any} */ (e).status === 401) {
        setParticipantSession(null);
        return go('#/join');
      }
      replace(this, h('p', { class: 'error card' }, /** @type {Error} */ (e).message));
      return;
    }
    this.details = details;
    this.isJudge = JUDGE_ROLES.includes(details.me.role);

    this.connection = h('span', { class: 'connection', id: 'connection' });
    this.status = h('span', { class: 'status', id: 'hearing-status' });
    this.recognition = h('div', { class: 'recognition', id: 'recognition' });
    this.tiles = /** @type {import('../room/tiles.js').Tiles} */ (h('ct-tiles', { id: 'tiles' }));
    this.controls = h('div', { class: 'judge-controls', id: 'judge-controls' });
    this.people = h('ul', { class: 'people', id: 'participants' });
    this.mine = h('div', { class: 'my-devices' });
    this.evidence = /** @type {import('../room/evidence.js').EvidencePanel} */ (h('ct-evidence-panel', { id: 'evidence' }));
    this.record = /** @type {import('../room/record.js').RecordPanel} */ (h('ct-record-panel', { id: 'record' }));
    this.blocked = h('div', { class: 'blocked-overlay', id: 'blocked', hidden: true });
    this.banner = h('p', { class: 'banner', hidden: true });
    this.deviceCheck = /** @type {import('../room/device-check.js').DeviceCheck} */ (h('ct-device-check'));
    const tabs = this.tabs();
    this.layout = h('div', { class: 'room' },
      h('header', { class: 'room-head' },
        h('div', {}, h('strong', {}, details.case_title), h('span', { class: 'meta' }, `${details.case_number}　${details.courtroom}　会议号 ${details.meeting_number}`)),
        h('div', { class: 'room-state' }, this.status, this.connection,
          h('span', { class: 'me' }, label(details.me)),
          h('button', { type: 'button', class: 'link', onclick: () => this.leave() }, '退出'))),
      this.banner,
      h('aside', { class: 'left' }, h('h2', {}, '语音识别'), this.recognition),
      h('section', { class: 'center' }, this.deviceCheck, this.tiles, this.mine),
      h('aside', { class: 'right' }, tabs));
    replace(this, this.layout, this.blocked);
    this.evidence.setup(session.token, session.hearing_id, details.me);
    this.record.setup(session.token, session.hearing_id);

    this.room = new RoomConnection(session.token, 'pc_browser');
    this.room.addEventListener('room', (e) => this.render(/** @type {CustomEvent} */ (e).detail));
    this.room.addEventListener('state', () => {
      this.renderConnection();
      // Notices sent while the connection was down are lost: catch up.
      if (this.room?.state === 'connected' && this.wasReconnecting) {
        this.evidence?.refresh();
        this.record?.reconnected();
      }
      this.wasReconnecting = this.room?.state === 'reconnecting';
    });
    this.room.addEventListener('notice', (e) => {
      const notice = /** @type {CustomEvent} */ (e).detail;
      if (notice.kind === 'evidence_changed') this.evidence?.refresh();
      if (notice.kind === 'record_saved' || notice.kind === 'signing_changed') this.record?.onNotice(notice);
    });
    this.room.connect();
    this.renderConnection();

    const stream = await this.deviceCheck.run();
    this.deviceCheck.remove();
    this.stream = stream;
    if (stream) this.tiles.setLocal(stream, label(details.me));
    this.renderMyDevices();
    this.media = new MediaLink(this.room, stream ?? new MediaStream());
    this.media.addEventListener('track', (e) => {
      const { participantId, stream: remote } = /** @type {CustomEvent} */ (e).detail;
      if (!this.room?.room?.blocked_message) this.tiles?.setRemote(participantId, remote);
      if (this.room?.room) this.tiles?.update(this.room.room);
    });
    this.media.addEventListener('state', () => this.renderConnection());
    this.media.start();
  }

  disconnectedCallback() {
    this.media?.stop();
    this.room?.close();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
  }

  tabs() {
    /** @type {Record<string, HTMLElement>} */
    const panels = {
      people: h('div', { class: 'panel' }, this.controls, this.people),
      evidence: h('div', { class: 'panel', hidden: true }, this.evidence),
      record: h('div', { class: 'panel', hidden: true }, this.record),
    };
    const buttons = /** @type {const} */ ([['people', '参与人'], ['evidence', '举证质证'], ['record', '庭审笔录']]).map(([key, text]) =>
      h('button', {
        type: 'button', class: key === 'people' ? 'tab active' : 'tab', name: `tab-${key}`,
        onclick: (/** @type {Event} */ event) => {
          for (const b of /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (event.target).parentElement).children) b.classList.remove('active');
          /** @type {HTMLElement} */ (event.target).classList.add('active');
          for (const [name, panel] of Object.entries(panels)) panel.hidden = name !== key;
        },
      }, text));
    return h('div', {}, h('nav', { class: 'tabs' }, buttons), Object.values(panels));
  }

  renderConnection() {
    if (!this.connection || !this.room) return;
    const reconnecting = this.room.state === 'reconnecting' || this.media?.state === 'reconnecting';
    this.connection.textContent = reconnecting ? '重新连接中' : CONNECTION_LABELS[this.room.state];
    this.connection.className = `connection ${reconnecting ? 'reconnecting' : this.room.state}`;
    if (this.room.state === 'ended' || this.room.state === 'replaced') {
      if (this.banner) {
        this.banner.hidden = false;
        this.banner.textContent = this.room.endReason ?? CONNECTION_LABELS[this.room.state];
      }
    }
  }

  renderMyDevices() {
    if (!this.mine) return;
    const toggle = (/** @type {'video'|'audio'} */ kind, /** @type {string} */ on, /** @type {string} */ off) => {
      const tracks = kind === 'video' ? this.stream?.getVideoTracks() : this.stream?.getAudioTracks();
      const enabled = !!tracks?.length && tracks.every((t) => t.enabled);
      return h('button', {
        type: 'button', class: 'secondary', name: `toggle-${kind}`, disabled: !tracks?.length,
        onclick: () => {
          for (const track of tracks ?? []) track.enabled = !enabled;
          this.room?.setDeviceState(!!this.stream?.getVideoTracks().some((t) => t.enabled), !!this.stream?.getAudioTracks().some((t) => t.enabled));
          this.renderMyDevices();
        },
      }, enabled ? off : on);
    };
    replace(this.mine, toggle('video', '打开摄像头', '关闭摄像头'), toggle('audio', '打开麦克风', '关闭麦克风'));
  }

  /** @param {RoomView} view */
  render(view) {
    if (!this.status || !this.recognition || !this.blocked || !this.layout || !this.tiles) return;
    // 您已被屏蔽，请等待法官传唤 — and nothing else of the hearing.
    if (view.blocked_message) {
      this.blocked.hidden = false;
      replace(this.blocked, h('p', {}, view.blocked_message));
      this.layout.hidden = true;
      this.tiles.clearRemote();
      return;
    }
    this.blocked.hidden = true;
    this.layout.hidden = false;
    this.status.textContent = STATUS_LABELS[view.status];
    this.status.className = `status ${view.status}`;
    replace(this.recognition, h('p', { class: `recognition-message ${view.recognition.status}` }, view.recognition.message));
    for (const [id, stream] of this.media?.remote ?? []) this.tiles.setRemote(id, stream);
    this.tiles.update(view);
    this.renderPeople(view);
    if (view.status === 'closed' && this.banner) {
      this.banner.hidden = false;
      this.banner.textContent = '庭审已结束（已闭庭）';
    }
  }

  /** @param {RoomView} view */
  renderPeople(view) {
    if (!this.people || !this.controls || !this.room) return;
    const room = this.room;
    const command = async (/** @type {object} */ c) => {
      try {
        await room.command(c);
      } catch (e) {
        window.alert(/** @type {Error} */ (e).message);
      }
    };
    if (this.isJudge) {
      /** @type {Record<string, [string, string][]>} */
      const actions = {
        scheduled: [['start', '开始']],
        in_session: [['adjourn', '休庭'], ['close', '闭庭']],
        adjourned: [['resume', '继续'], ['close', '闭庭']],
      };
      replace(this.controls, (actions[view.status] ?? []).map(([action, text]) =>
        h('button', { type: 'button', class: action === 'close' ? 'danger' : 'primary', name: action, onclick: () => command({ action }) }, text)));
    }
    replace(this.people, view.participants.map((p) => {
      const isParty = PARTY_SIDES.includes(ROLE_SIDES[p.role]) || p.role === 'witness';
      return h('li', { class: `person${p.online ? ' online' : ''}${p.blocked ? ' blocked' : ''}`, dataset: { participant: String(p.id) } },
        h('span', { class: 'who' }, `${ROLE_LABELS[p.role]} ${p.name}`),
        h('span', { class: 'presence' }, p.online ? '在线' : '离线'),
        p.network ? h('span', { class: `network ${p.network}` }, NETWORK_LABELS[p.network]) : null,
        p.blocked ? h('span', { class: 'flag' }, '已屏蔽') : null,
        p.muted ? h('span', { class: 'flag' }, '已静音') : null,
        this.isJudge && isParty
          ? h('button', { type: 'button', class: 'link', name: p.blocked ? 'summon' : 'block', onclick: () => command({ action: p.blocked ? 'summon' : 'block', participant_id: p.id }) }, p.blocked ? '传唤' : '屏蔽')
          : null,
        this.isJudge && p.id !== view.me.id
          ? h('button', { type: 'button', class: 'link', name: p.muted ? 'unmute' : 'mute', onclick: () => command({ action: 'set_muted', participant_id: p.id, muted: !p.muted }) }, p.muted ? '取消静音' : '静音')
          : null);
    }));
  }

  leave() {
    this.media?.stop();
    this.room?.close();
    if (this.session) api('POST', '/api/session/logout', { token: this.session.token }).catch(() => {});
    setParticipantSession(null);
    go('#/');
  }
}

customElements.define('ct-room', RoomPage);
