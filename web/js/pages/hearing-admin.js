// One hearing in the console: its meeting number, participants, every SMS as
// sent (with resend), entering the room as judge or clerk, and the event log.

import { api } from '../api.js';
import { formatTime, h, hashView, replace } from '../dom.js';
import { DEVICE_LABELS, ROLE_LABELS, SMS_KIND_LABELS, SMS_STATUS_LABELS, STATUS_LABELS, label } from '../labels.js';
import { go } from '../nav.js';
import { setParticipantSession, staffSession } from '../session.js';
import { consoleHeader } from './console.js';
import { PATHS, SIGNING_ROLES, path } from '../protocol.js';

/** @type {Record<string, string>} */
const EVENTS = {
  hearing_booked: '预定庭审',
  hearing_updated: '修改庭审',
  hearing_cancelled: '取消庭审',
  notice_resent: '重发通知',
  participant_logged_in: '登录',
  staff_entered: '进入庭审',
  participant_joined: '进入庭审室',
  participant_left: '离开庭审室',
  hearing_started: '开始庭审',
  hearing_adjourned: '休庭',
  hearing_resumed: '继续开庭',
  hearing_closed: '闭庭',
  participant_blocked: '屏蔽',
  participant_summoned: '传唤',
  participant_muted: '静音',
  participant_unmuted: '取消静音',
  evidence_submitted: '提交证据',
  evidence_withdrawn: '撤回证据',
  evidence_opinion: '质证意见',
  evidence_original_released: '公开证据原件',
  evidence_file_damaged: '证据存储文件校验不一致',
  evidence_file_restored: '证据存储文件已由重新提交的相同文件恢复',
  annotation_requested: '申请圈注',
  annotation_allowed: '同意圈注',
  annotation_refused: '拒绝圈注',
  annotation_withdrawn: '收回圈注',
  annotation_ended: '圈注结束',
  mark_added: '圈注',
  mark_removed: '撤销圈注',
  speech_recognized: '语音识别',
  record_saved: '保存笔录',
  record_signing_started: '发起签名',
  record_signing_qr_issued: '生成签名二维码',
  record_signed: '笔录签名',
  record_signing_superseded: '笔录修改，签名作废',
  record_pdf_generated: '生成签名笔录',
};

class HearingAdminPage extends HTMLElement {
  connectedCallback() {
    this.load();
  }

  async load() {
    const session = staffSession();
    if (!session) return;
    const token = session.token;
    const id = Number(this.dataset.id);
    const error = h('p', { class: 'error', role: 'alert' });
    try {
      const [hearing, sms, log] = await Promise.all([
        api('GET', path(PATHS.hearing, id), { token }),
        api('GET', `${PATHS.sms}?hearing_id=${id}`, { token }),
        api('GET', path(PATHS.hearingEvents, id), { token }),
      ]);
      const events = log.entries;
      const mine = hearing.participants.find((/** @type {any} */ p) => p.staff_id === session.staff.id);
      const over = hearing.status === 'closed' || hearing.status === 'cancelled';
      const closed = hearing.status === 'closed';
      // The server's rule (access::ManageHearing): who booked it, or sits in it for the court.
      const manages = Boolean(mine) || hearing.booked_by === session.staff.id;
      // After 闭庭 the notice is the 签名通知, for those who sign; the server sends it only to whoever has not signed yet.
      const resendable = (/** @type {any} */ p) => manages && (!over || (closed && SIGNING_ROLES.includes(p.role)));
      const resend = async (/** @type {number} */ participantId, /** @type {HTMLButtonElement} */ button) => {
        // One notice per click, however fast the clicks come.
        button.disabled = true;
        try {
          await api('POST', path(PATHS.hearingNotice, id, participantId), { token });
          this.load();
        } catch (e) {
          error.textContent = /** @type {Error} */ (e).message;
          button.disabled = false;
        }
      };
      const enter = async () => {
        try {
          setParticipantSession(await api('POST', path(PATHS.hearingEnter, id), { token }));
          go('#/room');
        } catch (e) {
          error.textContent = /** @type {Error} */ (e).message;
        }
      };
      const cancel = async () => {
        if (!window.confirm('确定取消该庭审？所有参与人将收到取消通知。')) return;
        try {
          await api('POST', path(PATHS.hearingCancel, id), { token });
          this.load();
        } catch (e) {
          error.textContent = /** @type {Error} */ (e).message;
        }
      };
      replace(this, h('section', { class: 'card wide' },
        consoleHeader(`${hearing.case_number} ${hearing.case_title}`),
        h('div', { class: 'meeting' },
          h('span', {}, '会议号'),
          h('strong', { class: 'meeting-number', id: 'meeting-number' }, hearing.meeting_number),
          h('span', { class: `status ${hearing.status}` }, STATUS_LABELS[hearing.status])),
        h('p', {}, `开庭时间：${hearing.scheduled_at}　法庭：${hearing.courtroom}`),
        error,
        h('div', { class: 'actions' },
          h('a', { class: 'button', href: '#/console' }, '返回列表'),
          // The state, the SMS sent (a login code in a trial) and the log, as they are now.
          h('button', { type: 'button', name: 'refresh-hearing', onclick: () => this.load() }, '刷新'),
          hearing.status === 'cancelled' ? null : h('a', { class: 'button', href: `#/console/hearing/${id}/record`, name: 'record' }, '庭审笔录'),
          mine && !over ? h('button', { type: 'button', class: 'primary', name: 'enter', onclick: enter }, `以${ROLE_LABELS[mine.role]}身份进入庭审`) : null,
          manages && !over ? h('a', { class: 'button', href: `#/console/hearing/${id}/edit`, name: 'edit-hearing' }, '修改庭审') : null,
          manages && hearing.status === 'scheduled' ? h('button', { type: 'button', class: 'danger', name: 'cancel-hearing', onclick: cancel }, '取消庭审') : null),
        h('h2', {}, '参与人'),
        h('table', { class: 'participants' },
          h('thead', {}, h('tr', {}, ['角色', '姓名', '手机号', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, hearing.participants.map((/** @type {any} */ p) => h('tr', {},
            h('td', {}, ROLE_LABELS[p.role]),
            h('td', {}, p.name),
            h('td', { class: 'mono' }, p.mobile),
            h('td', {}, resendable(p) ? h('button', { type: 'button', class: 'link', name: 'resend', onclick: (/** @type {MouseEvent} */ e) => resend(p.id, /** @type {HTMLButtonElement} */ (e.currentTarget)) }, closed ? '重发签名通知' : '重发通知') : ''))))),
        h('h2', {}, '短信'),
        h('ul', { class: 'sms' }, sms.map((/** @type {any} */ m) => h('li', { class: `sms-item ${m.status}` },
          h('div', { class: 'meta' }, `${formatTime(m.created_at_ms)}　${SMS_KIND_LABELS[m.kind] ?? m.kind}　${m.mobile}　${SMS_STATUS_LABELS[m.status] ?? m.status}`),
          // As the server keeps it: a login code is readable only in a trial without an SMS provider, masked otherwise.
          h('div', { class: 'sms-text' }, m.text)))),
        h('details', {},
          h('summary', {}, `庭审记录（${events.length}）`),
          h('ol', { class: 'events' }, events.map((/** @type {any} */ e) => h('li', {},
            `${formatTime(e.at_ms)}　${e.actor_name}　${EVENTS[e.action] ?? e.action}`,
            // Whom a judge's command was about: 王法官 屏蔽 原告 张三.
            e.detail?.target ? `　${label(e.detail.target)}` : null,
            e.detail?.device ? `（${DEVICE_LABELS[/** @type {import('../protocol.js').DeviceKind} */ (e.detail.device)] ?? e.detail.device}）` : null,
            // Logged when the server started again after it was killed: the departure came earlier.
            e.detail?.server_restarted ? '（服务器意外停止，重启时补记）' : null,
            e.detail?.sha256 ? hashView(e.detail.sha256) : null))))));
    } catch (e) {
      replace(this, h('section', { class: 'card' }, consoleHeader('庭审'), h('p', { class: 'error' }, /** @type {Error} */ (e).message)));
    }
  }
}

customElements.define('ct-hearing-admin', HearingAdminPage);
