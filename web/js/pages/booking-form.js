// What booking (预定网上开庭) and editing (修改庭审) a hearing share: the
// case fields, the participant rows (role, name, mobile and, for the court's
// seats, the staff account the seat is linked to), and the form that shows
// the server's refusal in place.

import { api } from '../api.js';
import { h } from '../dom.js';
import { COURT_ROLES, ROLE_LABELS } from '../labels.js';
import { PATHS } from '../protocol.js';

/**
 * @typedef {{role: string, name: string, mobile: string, staff_id: number | null}} NewParticipant
 */

/**
 * @param {{id: number, name: string, role: string}[]} staff the console's staff directory
 */
export function participantRows(staff) {
  const rows = h('tbody');

  const addRow = (/** @type {string} */ role = 'plaintiff') => {
    const roleSelect = h('select', { name: 'role' }, Object.entries(ROLE_LABELS).map(([value, text]) => h('option', { value, selected: value === role }, text)));
    const account = h('select', { name: 'staff' }, h('option', { value: '' }, '（不关联）'),
      staff.filter((s) => s.role !== 'admin').map((s) => h('option', { value: String(s.id) }, `${s.name}（${s.role === 'judge' ? '法官' : '书记员'}）`)));
    const name = h('input', { name: 'name', required: true, placeholder: '姓名' });
    // A court seat named as a staff member is linked to their account, unless an account was chosen by hand.
    let chosen = false;
    account.addEventListener('change', () => (chosen = true));
    const link = () => {
      if (chosen || account.disabled) return;
      const kind = roleSelect.value === 'clerk' ? 'clerk' : 'judge';
      const matches = staff.filter((s) => s.role === kind && s.name === name.value.trim());
      account.value = matches.length === 1 ? String(matches[0].id) : '';
    };
    const sync = () => {
      account.disabled = !COURT_ROLES.includes(/** @type {any} */ (roleSelect.value));
      if (account.disabled) account.value = '';
      link();
    };
    roleSelect.addEventListener('change', sync);
    name.addEventListener('input', link);
    sync();
    const row = h('tr', { class: 'participant' },
      h('td', {}, roleSelect),
      h('td', {}, name),
      h('td', {}, h('input', { name: 'mobile', required: true, inputMode: 'tel', placeholder: '11位手机号' })),
      h('td', {}, account),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => row.remove() }, '删除')));
    rows.append(row);
  };

  /**
   * The rows as the server takes them, checked for what can be checked here (the server checks everything again).
   * @returns {NewParticipant[]}
   */
  const collect = () => {
    const participants = [...rows.querySelectorAll('tr')].map((row) => {
      const value = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (row.querySelector(`[name=${name}]`)).value.trim();
      const staffId = value('staff');
      return { role: value('role'), name: value('name'), mobile: value('mobile'), staff_id: staffId ? Number(staffId) : null };
    });
    for (const p of participants) {
      if (!p.name) throw new Error('请填写每位参与人的姓名');
      if (!/^(\+?86|0086)?1[3-9]\d{9}$/.test(p.mobile.replace(/[\s-]/g, ''))) throw new Error(`手机号“${p.mobile}”格式不正确，应为11位手机号码`);
    }
    return participants;
  };

  /**
   * A court seat without a staff account cannot enter from the console nor keep the record there:
   * the one booking is asked first. Resolves whether to go on.
   * @param {NewParticipant[]} participants
   */
  const unlinkedAccepted = (participants) => {
    const unlinked = participants.filter((p) => COURT_ROLES.includes(/** @type {any} */ (p.role)) && p.staff_id === null);
    if (!unlinked.length) return true;
    const who = unlinked.map((p) => `${ROLE_LABELS[/** @type {keyof typeof ROLE_LABELS} */ (p.role)]} ${p.name}`).join('、');
    return window.confirm(`${who}未关联工作人员账号，将不能从控制台进入庭审或记录笔录，只能用会议号和短信验证码登录。是否仍要提交？`);
  };

  const table = h('table', { class: 'participants' },
    h('thead', {}, h('tr', {}, ['角色', '姓名', '手机号', '工作人员账号', ''].map((t) => h('th', {}, t)))),
    rows);
  return { table, addRow, collect, unlinkedAccepted };
}

/**
 * The staff directory for the account column (empty when it cannot be read: rows work without links).
 * @returns {Promise<{id: number, name: string, role: string}[]>}
 */
export async function staffDirectory(/** @type {string} */ token) {
  try {
    return await api('GET', PATHS.staffDirectory, { token });
  } catch {
    return [];
  }
}

/**
 * 案号, 案由, 法庭, 开庭日期 and 时间, filled from `initial` ("2026-11-25 09:30" for the time).
 * @param {{case_number?: string, case_title?: string, courtroom?: string, scheduled_at: string}} initial
 */
export function hearingFields(initial) {
  const [day, clock] = initial.scheduled_at.split(' ');
  const field = (/** @type {string} */ name, /** @type {string | undefined} */ value, /** @type {Record<string, any>} */ attributes = {}) =>
    h('input', { name, required: true, value: value ?? '', ...attributes });
  const caseNumber = field('case_number', initial.case_number, { placeholder: '（2026）津0101民初1234号' });
  const caseTitle = field('case_title', initial.case_title, { placeholder: '如：张三诉李四民间借贷纠纷' });
  const courtroom = field('courtroom', initial.courtroom, { placeholder: '第一法庭' });
  const date = field('date', day, { type: 'date' });
  const time = field('time', clock, { type: 'time' });
  const grid = h('div', { class: 'grid two' },
    h('label', {}, '案号', caseNumber),
    h('label', {}, '案由', caseTitle),
    h('label', {}, '法庭', courtroom),
    h('div', { class: 'inline' }, h('label', {}, '开庭日期', date), h('label', {}, '时间', time)));
  return { caseNumber, caseTitle, courtroom, grid, scheduledAt: () => `${date.value} ${time.value}` };
}

/**
 * A console form whose submission runs `submit`; what it throws (a check here or the server's refusal) shows in `error`.
 * @param {HTMLElement} error
 * @param {() => Promise<void>} submit
 * @param {...any} children
 */
export function consoleForm(error, submit, ...children) {
  let busy = false;
  const form = h('form', {
    class: 'card wide',
    onsubmit: async (/** @type {SubmitEvent} */ event) => {
      event.preventDefault();
      // One submission at a time: a double click books one hearing and sends one set of notices.
      if (busy) return;
      busy = true;
      const buttons = [...form.querySelectorAll('button[type=submit]')];
      for (const button of buttons) /** @type {HTMLButtonElement} */ (button).disabled = true;
      error.textContent = '';
      try {
        await submit();
      } catch (e) {
        error.textContent = /** @type {Error} */ (e).message;
      } finally {
        busy = false;
        for (const button of buttons) /** @type {HTMLButtonElement} */ (button).disabled = false;
      }
    },
  }, ...children);
  return form;
}
