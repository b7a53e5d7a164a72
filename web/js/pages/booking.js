// 预定网上开庭: case, courtroom, time, and the participants with their mobile numbers.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { JUDGE_ROLES, ROLE_LABELS } from '../labels.js';
import { go } from '../nav.js';
import { staffSession } from '../session.js';
import { consoleHeader } from './console.js';
import { PATHS } from '../protocol.js';

const COURT_ROLES = ['presiding_judge', 'judge', 'clerk'];

class BookingPage extends HTMLElement {
  async connectedCallback() {
    const session = staffSession();
    if (!session) return;
    /** @type {{id: number, name: string, role: string}[]} */
    let staff = [];
    try {
      staff = await api('GET', PATHS.staffDirectory, { token: session.token });
    } catch {
      staff = [];
    }
    // Tomorrow morning: never a time already past for a court in another time zone.
    const today = new Date(Date.now() + 24 * 3600_000);
    const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
    const field = (/** @type {string} */ name, /** @type {Record<string, any>} */ attributes = {}) => h('input', { name, required: true, ...attributes });
    const caseNumber = field('case_number', { placeholder: '（2026）津0101民初1234号' });
    const caseTitle = field('case_title', { placeholder: '如：张三诉李四民间借贷纠纷' });
    const courtroom = field('courtroom', { placeholder: '第一法庭' });
    const date = field('date', { type: 'date', value: `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}` });
    const time = field('time', { type: 'time', value: '09:30' });
    const rows = h('tbody');
    const error = h('p', { class: 'error', role: 'alert' });

    const addRow = (/** @type {string} */ role = 'plaintiff') => {
      const roleSelect = h('select', { name: 'role' }, Object.entries(ROLE_LABELS).map(([value, text]) => h('option', { value, selected: value === role }, text)));
      const account = h('select', { name: 'staff' }, h('option', { value: '' }, '（不关联）'),
        staff.filter((s) => s.role !== 'admin').map((s) => h('option', { value: String(s.id) }, `${s.name}（${s.role === 'judge' ? '法官' : '书记员'}）`)));
      const sync = () => {
        account.disabled = !COURT_ROLES.includes(roleSelect.value);
        if (account.disabled) account.value = '';
      };
      roleSelect.addEventListener('change', sync);
      sync();
      const row = h('tr', { class: 'participant' },
        h('td', {}, roleSelect),
        h('td', {}, h('input', { name: 'name', required: true, placeholder: '姓名' })),
        h('td', {}, h('input', { name: 'mobile', required: true, inputMode: 'tel', placeholder: '11位手机号' })),
        h('td', {}, account),
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => row.remove() }, '删除')));
      rows.append(row);
    };
    addRow('presiding_judge');
    addRow('clerk');
    addRow('plaintiff');
    addRow('defendant');

    /** Checks what can be checked here; the server checks everything again. */
    const collect = () => {
      const participants = [...rows.querySelectorAll('tr')].map((row) => {
        const value = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (row.querySelector(`[name=${name}]`)).value.trim();
        const staffId = value('staff');
        return { role: value('role'), name: value('name'), mobile: value('mobile'), staff_id: staffId ? Number(staffId) : null };
      });
      if (!participants.length) throw new Error('请添加参与人');
      for (const p of participants) {
        if (!p.name) throw new Error('请填写每位参与人的姓名');
        if (!/^(\+?86)?1[3-9]\d{9}$/.test(p.mobile.replace(/[\s-]/g, ''))) throw new Error(`手机号“${p.mobile}”格式不正确，应为11位手机号码`);
      }
      if (!participants.some((p) => JUDGE_ROLES.includes(/** @type {any} */ (p.role)))) throw new Error('庭审须有审判长或审判员参加');
      return {
        case_number: caseNumber.value.trim(),
        case_title: caseTitle.value.trim(),
        courtroom: courtroom.value.trim(),
        scheduled_at: `${date.value} ${time.value}`,
        participants,
      };
    };

    const form = h('form', {
      class: 'card wide',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault();
        error.textContent = '';
        try {
          const hearing = await api('POST', PATHS.hearings, { token: session.token, body: collect() });
          go(`#/console/hearing/${hearing.id}`);
        } catch (e) {
          error.textContent = /** @type {Error} */ (e).message;
        }
      },
    },
    consoleHeader('预定网上开庭'),
    h('div', { class: 'grid two' },
      h('label', {}, '案号', caseNumber),
      h('label', {}, '案由', caseTitle),
      h('label', {}, '法庭', courtroom),
      h('div', { class: 'inline' }, h('label', {}, '开庭日期', date), h('label', {}, '时间', time))),
    h('h2', {}, '参与人'),
    h('table', { class: 'participants' },
      h('thead', {}, h('tr', {}, ['角色', '姓名', '手机号', '工作人员账号', ''].map((t) => h('th', {}, t)))),
      rows),
    h('button', { type: 'button', class: 'secondary', name: 'add-participant', onclick: () => addRow() }, '添加参与人'),
    error,
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: '#/console' }, '返回'),
      h('button', { type: 'submit', class: 'primary', name: 'submit-booking' }, '预定并发送通知')));
    replace(this, form);
  }
}

customElements.define('ct-booking', BookingPage);
