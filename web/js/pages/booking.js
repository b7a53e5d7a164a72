// 预定网上开庭: case, courtroom, time, and the participants with their mobile numbers.

import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { JUDGE_ROLES } from '../labels.js';
import { go } from '../nav.js';
import { staffSession } from '../session.js';
import { consoleHeader } from './console.js';
import { consoleForm, hearingFields, participantRows, staffDirectory } from './booking-form.js';
import { PATHS } from '../protocol.js';

class BookingPage extends HTMLElement {
  async connectedCallback() {
    const session = staffSession();
    if (!session) return;
    const staff = await staffDirectory(session.token);
    // Tomorrow morning on the court's calendar, whatever this computer's time zone.
    const tomorrow = formatTime(Date.now() + 24 * 3600_000).slice(0, 10);
    const fields = hearingFields({ scheduled_at: `${tomorrow} 09:30` });
    const { table, addRow, collect: collectParticipants, unlinkedAccepted } = participantRows(staff);
    const error = h('p', { class: 'error', role: 'alert' });

    addRow('presiding_judge');
    addRow('clerk');
    addRow('plaintiff');
    addRow('defendant');

    /** Checks what can be checked here; the server checks everything again. */
    const collect = () => {
      const participants = collectParticipants();
      if (!participants.length) throw new Error('请添加参与人');
      if (!participants.some((p) => JUDGE_ROLES.includes(/** @type {any} */ (p.role)))) throw new Error('庭审须有审判长或审判员参加');
      if (!unlinkedAccepted(participants)) throw new Error('未提交：请为审判人员和书记员选择工作人员账号');
      return {
        case_number: fields.caseNumber.value.trim(),
        case_title: fields.caseTitle.value.trim(),
        courtroom: fields.courtroom.value.trim(),
        scheduled_at: fields.scheduledAt(),
        participants,
      };
    };

    const form = consoleForm(error, async () => {
      const hearing = await api('POST', PATHS.hearings, { token: session.token, body: collect() });
      go(`#/console/hearing/${hearing.id}`);
    },
    consoleHeader('预定网上开庭'),
    fields.grid,
    h('h2', {}, '参与人'),
    table,
    h('button', { type: 'button', class: 'secondary', name: 'add-participant', onclick: () => addRow() }, '添加参与人'),
    error,
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: '#/console' }, '返回'),
      h('button', { type: 'submit', class: 'primary', name: 'submit-booking' }, '预定并发送通知')));
    replace(this, form);
  }
}

customElements.define('ct-booking', BookingPage);
