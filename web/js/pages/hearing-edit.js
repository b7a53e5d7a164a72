// 修改庭审: the case, courtroom and time of a hearing not yet over, and who
// takes part (removed, added). The server notifies everyone affected: a new
// time or courtroom to all, the notice with the meeting number to those
// added, and those removed that they no longer take part.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { ROLE_LABELS } from '../labels.js';
import { go } from '../nav.js';
import { staffSession } from '../session.js';
import { consoleHeader } from './console.js';
import { consoleForm, hearingFields, participantRows, staffDirectory } from './booking-form.js';
import { PATHS, path } from '../protocol.js';

class HearingEditPage extends HTMLElement {
  async connectedCallback() {
    const session = staffSession();
    if (!session) return;
    const token = session.token;
    const id = Number(this.dataset.id);
    let hearing, staff;
    try {
      [hearing, staff] = await Promise.all([api('GET', path(PATHS.hearing, id), { token }), staffDirectory(token)]);
    } catch (e) {
      replace(this, h('section', { class: 'card' }, consoleHeader('修改庭审'), h('p', { class: 'error' }, /** @type {Error} */ (e).message)));
      return;
    }
    const fields = hearingFields(hearing);
    const { table, addRow, collect, unlinkedAccepted } = participantRows(staff);
    const error = h('p', { class: 'error', role: 'alert' });

    const current = hearing.participants.map((/** @type {any} */ p) => {
      const remove = h('input', { type: 'checkbox', name: 'remove', value: String(p.id) });
      return { p, remove, row: h('tr', { class: 'current', dataset: { participant: String(p.id) } },
        h('td', {}, ROLE_LABELS[p.role] ?? p.role),
        h('td', {}, p.name),
        h('td', { class: 'mono' }, p.mobile),
        h('td', {}, h('label', { class: 'check' }, remove, '移除'))) };
    });

    /** Only what changed: the server notifies by what changed. */
    const changes = () => {
      /** @type {Record<string, any>} */
      const body = {};
      const text = (/** @type {HTMLInputElement} */ input, /** @type {string} */ before, /** @type {string} */ key) => {
        if (input.value.trim() !== before) body[key] = input.value.trim();
      };
      text(fields.caseNumber, hearing.case_number, 'case_number');
      text(fields.caseTitle, hearing.case_title, 'case_title');
      text(fields.courtroom, hearing.courtroom, 'courtroom');
      const at = fields.scheduledAt();
      if (at !== hearing.scheduled_at) body.scheduled_at = at;
      const removed = current.filter((c) => c.remove.checked).map((c) => c.p.id);
      if (removed.length) body.remove_participants = removed;
      const added = collect();
      if (!unlinkedAccepted(added)) throw new Error('未保存：请为审判人员和书记员选择工作人员账号');
      if (added.length) body.add_participants = added;
      if (!Object.keys(body).length) throw new Error('没有需要保存的修改');
      return body;
    };

    const form = consoleForm(error, async () => {
      const body = changes();
      if (!window.confirm('保存后将短信通知受影响的参与人。确定保存修改？')) return;
      await api('PATCH', path(PATHS.hearing, id), { token, body });
      go(`#/console/hearing/${id}`);
    },
    consoleHeader(`修改庭审　${hearing.case_number}`),
    fields.grid,
    h('h2', {}, '参与人'),
    h('table', { class: 'participants' },
      h('thead', {}, h('tr', {}, ['角色', '姓名', '手机号', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, current.map((c) => c.row))),
    h('h2', {}, '新增参与人'),
    table,
    h('button', { type: 'button', class: 'secondary', name: 'add-participant', onclick: () => addRow() }, '添加参与人'),
    error,
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: `#/console/hearing/${id}` }, '返回'),
      h('button', { type: 'submit', class: 'primary', name: 'save-edit' }, '保存并通知')));
    replace(this, form);
  }
}

customElements.define('ct-hearing-edit', HearingEditPage);
