// The hearing room (视频庭审). This element is the room's one context: it owns
// the participant's session, the room connection and the latest room view,
// and the panels inside it (video wall, participants, 举证质证, 庭审笔录,
// the evidence viewer) subscribe to it instead of being pushed. Whenever
// access returns — the first connection, a reconnection after a drop, a
// summons after a block — the room's `epoch` moves on, and every panel loads
// again what it shows; a REST call refused with `blocked` shows
// 您已被屏蔽，请等待法官传唤 until then.

import { api as rawApi, ApiError } from '../api.js';
import { onPhone } from '../device.js';
import { confirmDialog, h, replace } from '../dom.js';
import { label } from '../labels.js';
import { MediaLink } from '../media.js';
import { recordKeptBeforeLeaving } from '../record/editor.js';
import { go } from '../nav.js';
import { COURT_ROLES, JUDGE_ACTIONS, MEDIA_ENDED_MESSAGE, OVER_STATUSES, PATHS, STATUS_LABELS, path } from '../protocol.js';
import { CONNECTION_LABELS, RoomConnection } from '../room.js';
import { participantSession, setParticipantSession, staffSession } from '../session.js';
import '../room/annotation-notices.js';
import '../room/device-check.js';
import '../room/evidence.js';
import '../room/people.js';
import '../room/speech.js';
import '../room/record.js';
import '../room/tiles.js';
import '../room/viewer.js';

/**
 * @typedef {import('../protocol.js').RoomView} RoomView
 * @typedef {import('../protocol.js').HearingDetails} HearingDetails
 * @typedef {import('../protocol.js').RoomNotice} RoomNotice
 * @typedef {{
 *   view: RoomView|null, details: HearingDetails|null, connection: import('../room.js').RoomConnectionState,
 *   blocked: boolean, epoch: number, status: import('../protocol.js').HearingStatus|null,
 *   me: {id: number, role: string, name: string}|null, presides: boolean, mayEdit: boolean,
 * }} RoomState
 */

/** After a judge's command, clicks on the header's controls wait this long (the end of a double click). */
const COMMAND_PAUSE_MS = 600;

export class RoomPage extends HTMLElement {
  /** @type {Set<(state: RoomState) => void>} */
  listeners = new Set();
  /** @type {Set<(notice: RoomNotice) => void>} */
  noticeListeners = new Set();
  /** @type {Set<() => void>} */
  markListeners = new Set();
  /** The hearing's current marks (圈注), by id. @type {Map<number, import('../protocol.js').Mark>} */
  marks = new Map();
  /** Marks being drawn now, by author and stroke. @type {Map<string, {author: import('../protocol.js').ParticipantSummary, stroke: number, draft: import('../protocol.js').MarkDraft}>} */
  previews = new Map();
  /** @type {RoomView|null} */
  view = null;
  /** @type {HearingDetails|null} */
  details = null;
  epoch = 0;
  /** Whether the room was usable the last time the state changed. */
  wasOpen = false;
  wasReconnecting = false;
  /** Past the device check: the room shows. */
  entered = false;
  /** Why media ended for good (the hearing is over, or the room is gone): no camera, no microphone any more. */
  /** @type {string|false} */
  mediaEnded = false;
  /** A judge's command is on its way; when the last one was answered. */
  commanding = false;
  commandedAt = 0;

  connectedCallback() {
    const session = participantSession();
    if (!session) return go('#/join');
    this.session = session;
    this.connection = new RoomConnection(session.token);
    this.build();
    this.connection.addEventListener('room', (e) => {
      this.view = /** @type {CustomEvent} */ (e).detail;
      this.changed();
    });
    this.connection.addEventListener('state', () => {
      const state = this.connection?.state;
      // Notices sent while the connection was down are lost: everything loads again.
      if (state === 'connected' && this.wasReconnecting) this.wasOpen = false;
      this.wasReconnecting = state === 'reconnecting';
      this.changed();
    });
    this.connection.addEventListener('notice', (e) => {
      const notice = /** @type {CustomEvent} */ (e).detail;
      // 修改庭审: the header shows the hearing as it is now.
      if (notice.kind === 'details_changed') this.loadDetails();
      for (const listener of this.noticeListeners) listener(notice);
    });
    this.connection.addEventListener('speech', (e) => this.speechPanel?.receive(/** @type {CustomEvent} */ (e).detail));
    this.connection.addEventListener('marks', (e) => this.receiveMarks(/** @type {CustomEvent} */ (e).detail));
    this.connection.connect();
    this.changed();
    this.startMedia();
  }

  disconnectedCallback() {
    this.media?.stop();
    this.connection?.close();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
  }

  /** The room's state as panels see it. @returns {RoomState} */
  state() {
    const view = this.view;
    const me = view?.me ?? this.details?.me ?? null;
    return {
      view,
      details: this.details,
      connection: this.connection?.state ?? 'connecting',
      blocked: !!view?.blocked_message,
      epoch: this.epoch,
      status: view?.status ?? this.details?.status ?? null,
      me,
      // The judge who gives the room's commands: the 审判长, or a 审判员 where there is none (the server's rules::check_presides).
      presides: !!me && (me.role === 'presiding_judge'
        || (me.role === 'judge' && !(view?.participants ?? []).some((p) => p.role === 'presiding_judge'))),
      mayEdit: !!me && COURT_ROLES.includes(/** @type {any} */ (me.role)),
    };
  }

  /**
   * Calls `listener` with the room's state now and after every change.
   * @param {(state: RoomState) => void} listener
   * @returns {() => void} unsubscribes
   */
  subscribe(listener) {
    this.listeners.add(listener);
    listener(this.state());
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` with every room notice.
   * @param {(notice: RoomNotice) => void} listener
   * @returns {() => void} unsubscribes
   */
  onNotice(listener) {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /**
   * Calls `listener` whenever a mark or a preview comes or goes.
   * @param {() => void} listener
   * @returns {() => void} unsubscribes
   */
  onMarks(listener) {
    this.markListeners.add(listener);
    return () => this.markListeners.delete(listener);
  }

  /** @param {any} message one of the room's mark messages */
  receiveMarks(message) {
    switch (message.type) {
      case 'marks':
        this.marks = new Map(message.marks.map((/** @type {import('../protocol.js').Mark} */ m) => [m.id, m]));
        this.previews.clear();
        break;
      case 'mark_added':
        this.marks.set(message.mark.id, message.mark);
        break;
      case 'mark_removed':
        this.marks.delete(message.mark_id);
        break;
      case 'mark_preview':
        this.previews.set(`${message.author.id}:${message.stroke}`, message);
        break;
      case 'preview_cleared':
        for (const [key, preview] of this.previews) if (preview.author.id === message.participant_id) this.previews.delete(key);
        break;
    }
    for (const listener of this.markListeners) listener();
  }

  /**
   * 申请圈注, a mark, or its removal; resolves with the mark's id, rejects with the server's reason.
   * @param {object} message
   */
  annotate(message) {
    if (!this.connection) return Promise.reject(new Error('未连接到庭审'));
    return this.connection.ask(message);
  }

  /**
   * A mark still being drawn (not stored; dropped when not connected).
   * @param {number} stroke
   * @param {import('../protocol.js').MarkDraft} draft
   */
  previewMark(stroke, draft) {
    this.connection?.send({ type: 'preview_mark', stroke, draft });
  }

  /** The mark being drawn was given up: the others drop their preview of it. */
  clearPreview() {
    this.connection?.send({ type: 'clear_preview' });
  }

  /** The REST API with this participant's session. @type {typeof rawApi} */
  api = (method, apiPath, options = {}) => rawApi(method, apiPath, { ...options, token: this.session?.token ?? null }).catch((e) => {
    if (e instanceof ApiError && e.status === 401) this.sessionEnded();
    throw e;
  });

  get token() {
    return this.session?.token ?? '';
  }

  get hearingId() {
    return this.session?.hearing_id ?? 0;
  }

  /** Something changed: a new epoch when the room has just become usable, then every panel hears of it. */
  changed() {
    const state = this.state();
    const open = state.connection === 'connected' && !!state.view && !state.blocked;
    if (open && !this.wasOpen) {
      this.epoch += 1;
      this.loadDetails();
    }
    this.wasOpen = open;
    this.render();
    const current = this.state();
    for (const listener of this.listeners) listener(current);
  }

  async loadDetails() {
    const epoch = this.epoch;
    try {
      const details = await this.api('GET', path(PATHS.hearingDetails, this.hearingId));
      if (epoch !== this.epoch) return;
      this.details = details;
      this.changed();
    } catch {
      // Shown without the case's details; the next epoch tries again.
    }
  }

  sessionEnded() {
    setParticipantSession(null);
    go('#/join');
  }

  build() {
    this.caseTitle = h('div', { class: 'case' });
    this.statusBadge = h('span', { class: 'status', id: 'hearing-status' });
    this.connectionBadge = h('span', { class: 'connection', id: 'connection' });
    this.meLabel = h('span', { class: 'me' });
    this.controls = h('div', { class: 'judge-controls', id: 'judge-controls' });
    this.recognition = h('div', { class: 'recognition', id: 'recognition' });
    this.speechPanel = /** @type {import('../room/speech.js').SpeechPanel} */ (h('ct-speech-panel', { id: 'speech' }));
    this.tiles = /** @type {import('../room/tiles.js').Tiles} */ (h('ct-tiles', { id: 'tiles' }));
    this.mine = h('div', { class: 'my-devices' });
    this.mutedNotice = h('p', { class: 'muted-notice', id: 'muted-notice', hidden: true }, '您已被法官静音');
    this.blockedOverlay = h('div', { class: 'blocked-overlay', id: 'blocked', hidden: true });
    this.banner = h('p', { class: 'banner', id: 'banner', hidden: true });
    this.deviceCheck = /** @type {import('../room/device-check.js').DeviceCheck} */ (h('ct-device-check'));
    this.viewer = /** @type {import('../room/viewer.js').EvidenceViewer} */ (h('ct-evidence-viewer', { id: 'evidence-viewer', hidden: true }));
    this.layout = h('div', { class: 'room' },
      h('header', { class: 'room-head' },
        this.caseTitle,
        h('div', { class: 'room-state' }, this.statusBadge, this.connectionBadge, this.meLabel,
          h('button', { type: 'button', class: 'link', name: 'leave', onclick: () => this.leave() }, '退出')),
        this.controls),
      this.banner,
      h('aside', { class: 'left' }, h('h2', {}, '语音识别'), this.recognition, this.speechPanel),
      h('section', { class: 'center' }, this.tiles, this.mutedNotice, this.mine),
      h('aside', { class: 'right' }, this.tabs()),
      this.viewer);
    // The device check comes first; the room, or the block message, once it is done:
    // a party blocked before entering still enters, to be summoned later.
    // 申请圈注 and its answers are shown wherever one is in the room, not only under 参与人.
    replace(this, this.deviceCheck, this.layout, this.blockedOverlay, h('ct-annotation-notices', { id: 'annotation-notices' }));
  }

  tabs() {
    /** @type {Record<string, HTMLElement>} */
    const panels = {
      people: h('div', { class: 'panel', dataset: { panel: 'people' } }, h('ct-people', { id: 'participants' })),
      evidence: h('div', { class: 'panel', dataset: { panel: 'evidence' }, hidden: true }, h('ct-evidence-panel', { id: 'evidence' })),
      record: h('div', { class: 'panel', dataset: { panel: 'record' }, hidden: true }, h('ct-record-panel', { id: 'record' })),
    };
    // A phone shows the mobile screens' words (证据材料), a computer the PC client's (举证质证).
    const evidence = onPhone() ? '证据材料' : '举证质证';
    const buttons = /** @type {const} */ ([['people', '参与人'], ['evidence', evidence], ['record', '庭审笔录']]).map(([key, text]) =>
      h('button', { type: 'button', class: key === 'people' ? 'tab active' : 'tab', name: `tab-${key}`, onclick: () => this.showTab(key) }, text));
    this.tabButtons = buttons;
    this.panels = panels;
    return h('div', { class: 'tabbed' }, h('nav', { class: 'tabs' }, buttons), Object.values(panels));
  }

  /** @param {string} key */
  showTab(key) {
    for (const b of this.tabButtons ?? []) b.classList.toggle('active', b.name === `tab-${key}`);
    for (const [name, panel] of Object.entries(this.panels ?? {})) panel.hidden = name !== key;
    // The court writes the record in a wide view, the video beside it.
    this.layout?.classList.toggle('writing', key === 'record' && this.state().mayEdit);
  }

  render() {
    const state = this.state();
    const { view, details } = state;
    if (!this.layout || !this.blockedOverlay || !this.statusBadge || !this.connectionBadge) return;
    if (view && OVER_STATUSES.includes(view.status)) this.endMedia();
    // Cancelled, removed from the hearing, or taken over by another device: the room will not come
    // back here, so neither does media, and the camera and microphone are let go at once.
    const gone = this.connection?.state === 'ended' || this.connection?.state === 'replaced';
    if (gone) this.endMedia(this.connection?.endReason ?? CONNECTION_LABELS[/** @type {'ended'|'replaced'} */ (this.connection?.state)]);
    // The device check comes first; nothing of the room acts or shows before it is done.
    if (!this.entered) {
      this.layout.hidden = true;
      this.blockedOverlay.hidden = true;
      return;
    }
    // 您已被屏蔽，请等待法官传唤 — and nothing else of the hearing.
    if (view?.blocked_message) {
      this.blockedOverlay.hidden = false;
      replace(this.blockedOverlay, h('p', {}, view.blocked_message),
        h('button', { type: 'button', class: 'secondary', name: 'leave-blocked', onclick: () => this.leave() }, '退出'));
      this.layout.hidden = true;
      this.tiles?.clear();
      this.viewer?.close();
      return;
    }
    this.blockedOverlay.hidden = true;
    this.layout.hidden = false;
    if (this.caseTitle && details) {
      replace(this.caseTitle, h('strong', {}, details.case_title),
        h('span', { class: 'meta' }, `${details.case_number}　${details.scheduled_at}　${details.courtroom}　会议号 ${details.meeting_number}`));
    }
    if (this.meLabel && state.me) this.meLabel.textContent = label(state.me);
    this.renderConnection();
    if (!view) return;
    this.statusBadge.textContent = STATUS_LABELS[view.status];
    this.statusBadge.className = `status ${view.status}`;
    // The panel's message shows while it has no lines yet.
    if (this.recognition) {
      replace(this.recognition, this.speechPanel?.hasLines() ? null : h('p', { class: `recognition-message ${view.recognition.status}` }, view.recognition.message));
    }
    for (const [id, stream] of this.media?.remote ?? []) this.tiles?.setRemote(id, stream);
    this.tiles?.update(view);
    this.renderControls(state);
    this.renderMyDevices();
    if (view.status === 'closed' && this.banner) {
      this.banner.hidden = false;
      // The court does not sign; a party is asked to when the clerk starts signing (the record panel pops up).
      this.banner.textContent = state.mayEdit
        ? '庭审已结束（已闭庭）。'
        : '庭审已结束（已闭庭）：不能再提交证据；笔录可在“庭审笔录”中阅读，需要您签名时会提示。';
    }
  }

  /** The judge's 开始, 休庭, 继续, 闭庭: always in the header, whatever tab is open. */
  renderControls(/** @type {RoomState} */ state) {
    if (!this.controls || !state.view) return;
    if (!state.presides) return replace(this.controls);
    replace(this.controls, JUDGE_ACTIONS[state.view.status].map(({ action, label: text, confirm }) =>
      h('button', {
        type: 'button', class: action === 'close' ? 'danger' : 'primary', name: action,
        onclick: async () => {
          // A double click gives one command: the second click lands while the first is answered, or on the
          // button that replaced it (开始 becomes 休庭), and is not a second command.
          if (this.commanding || Date.now() - this.commandedAt < COMMAND_PAUSE_MS) return;
          if (confirm && !(await confirmDialog({ title: `${text}？`, message: confirm, confirm: `确定${text}`, danger: true }))) return;
          this.commanding = true;
          // After a refusal the button stays as it was: nothing for a second click to land on.
          if (await this.command({ action })) this.commandedAt = Date.now();
          this.commanding = false;
        },
      }, text)));
  }

  /**
   * A judge's command; a refusal is shown to the judge. Resolves whether it was carried out.
   * @param {object} command
   */
  async command(command) {
    try {
      await this.connection?.command(command);
      return true;
    } catch (e) {
      window.alert(/** @type {Error} */ (e).message);
      return false;
    }
  }

  renderConnection() {
    if (!this.connectionBadge || !this.connection) return;
    const room = this.connection;
    const reconnecting = room.state === 'reconnecting' || this.media?.state === 'reconnecting';
    this.connectionBadge.textContent = reconnecting ? '重新连接中' : CONNECTION_LABELS[room.state];
    this.connectionBadge.className = `connection ${reconnecting ? 'reconnecting' : room.state}`;
    if (room.state === 'ended' || room.state === 'replaced') {
      if (this.banner) {
        this.banner.hidden = false;
        this.banner.textContent = room.endReason ?? CONNECTION_LABELS[room.state];
      }
      // What the room last said of the hearing no longer holds (庭审已取消 says it all).
      if (this.statusBadge) this.statusBadge.hidden = true;
    }
    // The reason stays in view; a reload goes to 会议号登录.
    if (room.state === 'ended' && room.loginEnded) setParticipantSession(null);
  }

  async startMedia() {
    const stream = await this.deviceCheck?.run();
    this.deviceCheck?.remove();
    this.entered = true;
    if (this.mediaEnded) {
      for (const track of stream?.getTracks() ?? []) track.stop();
      this.render();
      return;
    }
    this.stream = stream;
    if (stream && this.tiles) this.tiles.setLocal(stream, label(this.state().me ?? { role: '', name: '' }));
    this.render();
    this.renderMyDevices();
    if (!this.connection || !this.isConnected) return;
    this.media = new MediaLink(this.connection, stream ?? new MediaStream());
    this.media.addEventListener('track', (e) => {
      const { participantId, stream: remote } = /** @type {CustomEvent} */ (e).detail;
      if (!this.view?.blocked_message) this.tiles?.setRemote(participantId, remote);
      if (this.view) this.tiles?.update(this.view);
    });
    this.media.addEventListener('state', () => this.renderConnection());
    this.media.start();
  }

  /**
   * 闭庭, a cancelled hearing, or a room that ended here: media ends for good, and the camera and
   * microphone are let go; after 闭庭 the record can still be read and signed.
   */
  endMedia(message = MEDIA_ENDED_MESSAGE) {
    if (this.mediaEnded) return;
    this.mediaEnded = message;
    this.deviceCheck?.skip();
    this.media?.stop();
    this.media = undefined;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.tiles?.clear(true);
    this.renderMyDevices();
  }

  /** 关闭摄像头 / 关闭麦克风; a microphone muted by the judge says so. */
  renderMyDevices() {
    if (this.mine && this.mediaEnded) {
      if (this.mutedNotice) this.mutedNotice.hidden = true;
      replace(this.mine, h('p', { class: 'notice', id: 'media-ended' }, this.mediaEnded));
      return;
    }
    if (!this.mine || this.stream === undefined) return;
    const mutedByJudge = !!this.view?.me.muted;
    if (this.mutedNotice) this.mutedNotice.hidden = !mutedByJudge;
    const toggle = (/** @type {'video'|'audio'} */ kind, /** @type {string} */ on, /** @type {string} */ off) => {
      const tracks = kind === 'video' ? this.stream?.getVideoTracks() : this.stream?.getAudioTracks();
      const enabled = !!tracks?.length && tracks.every((t) => t.enabled);
      const muted = kind === 'audio' && mutedByJudge;
      return h('button', {
        type: 'button', class: muted ? 'secondary muted' : 'secondary', name: `toggle-${kind}`, disabled: !tracks?.length || muted,
        title: muted ? '法官已将您静音，取消静音后才能发言' : '',
        onclick: () => {
          for (const track of tracks ?? []) track.enabled = !enabled;
          this.connection?.setDeviceState(!!this.stream?.getVideoTracks().some((t) => t.enabled), !!this.stream?.getAudioTracks().some((t) => t.enabled));
          this.renderMyDevices();
        },
      }, muted ? '已被法官静音' : enabled ? off : on);
    };
    replace(this.mine, toggle('video', '打开摄像头', '关闭摄像头'), toggle('audio', '打开麦克风', '关闭麦克风'));
  }

  /**
   * Opens evidence in the large viewer.
   * @param {import('../protocol.js').Evidence[]} items what the viewer pages through
   * @param {string} id the item to show
   */
  openEvidence(items, id) {
    this.layout?.classList.add('viewing');
    this.viewer?.open(items, id);
  }

  evidenceClosed() {
    this.layout?.classList.remove('viewing');
  }

  async leave() {
    if (!(await confirmDialog({ title: '退出庭审？', message: '退出后将离开视频庭审。庭审未结束时可使用会议号重新登录进入。', confirm: '确定退出' }))) return;
    // The clerk's record is saved before the session ends; what cannot be saved is not dropped unasked.
    if (!(await recordKeptBeforeLeaving())) return;
    this.media?.stop();
    this.connection?.close();
    if (this.session) rawApi('POST', PATHS.logout, { token: this.session.token }).catch(() => {});
    setParticipantSession(null);
    // Back where this participant came from: the console, or 会议号登录 with the meeting number filled in.
    const meeting = this.details?.meeting_number;
    go(staffSession() ? `#/console/hearing/${this.hearingId}` : meeting ? `#/join?meeting=${meeting}` : '#/');
  }
}

customElements.define('ct-room', RoomPage);
