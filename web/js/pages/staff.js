// 工作人员账号 (administrators): the court's accounts, each with 停用 / 启用
// and 重设密码, a new account, and the usernames locked after wrong
// passwords, each with 解锁 — what the lock message tells staff to ask an
// administrator for (联系管理员解锁).

import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { STAFF_ROLE_LABELS } from '../labels.js';
import { PATHS, path } from '../protocol.js';
import { staffSession } from '../session.js';
import { consoleForm } from './booking-form.js';
import { consoleHeader } from './console.js';

class StaffPage extends HTMLElement {
  connectedCallback() {
    this.load();
  }

  async load() {
    const session = staffSession();
    if (!session) return;
    const token = session.token;
    const error = h('p', { class: 'error', role: 'alert' });
    try {
      const [accounts, locks] = await Promise.all([
        api('GET', PATHS.staff, { token }),
        api('GET', PATHS.staffLoginLocks, { token }),
      ]);
      const unlock = async (/** @type {string} */ username) => {
        try {
          await api('DELETE', path(PATHS.staffLoginLock, username), { token });
          this.load();
        } catch (e) {
          error.textContent = /** @type {Error} */ (e).message;
        }
      };
      /** @param {number} id @param {object} change */
      const changeAccount = async (id, change) => {
        try {
          await api('PATCH', path(PATHS.staffAccount, id), { token, body: change });
          this.load();
        } catch (e) {
          error.textContent = /** @type {Error} */ (e).message;
        }
      };
      const stop = (/** @type {any} */ a) => {
        if (window.confirm(`停用后${a.name}（${a.username}）将不能登录，已登录的会话立即失效。是否停用？`)) changeAccount(a.id, { disabled: true });
      };
      const resetPassword = (/** @type {any} */ a) => {
        const password = window.prompt(`为${a.name}（${a.username}）设置新密码（至少8位）；其已登录的会话将失效：`);
        if (password) changeAccount(a.id, { password });
      };
      const field = (/** @type {string} */ name, /** @type {string} */ text, /** @type {object} */ attributes = {}) =>
        h('label', {}, text, h('input', { name, required: name !== 'mobile', ...attributes }));
      const role = h('select', { name: 'role' }, Object.entries(STAFF_ROLE_LABELS).map(([value, text]) => h('option', { value }, text)));
      const formError = h('p', { class: 'error', role: 'alert' });
      const form = consoleForm(formError, async () => {
        const value = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.querySelector(`[name=${name}]`)).value.trim();
        await api('POST', PATHS.staff, {
          token,
          body: { username: value('username'), name: value('name'), role: role.value, mobile: value('mobile') || null, password: /** @type {HTMLInputElement} */ (form.querySelector('[name=password]')).value },
        });
        this.load();
      },
      h('h2', {}, '新建账号'),
      h('div', { class: 'grid two' },
        field('username', '用户名', { autocomplete: 'off' }),
        field('name', '姓名'),
        h('label', {}, '角色', role),
        field('mobile', '手机号（可选）', { inputMode: 'numeric' }),
        field('password', '初始密码', { type: 'password', autocomplete: 'new-password' })),
      formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', name: 'create-staff' }, '新建账号')));
      replace(this, h('section', { class: 'card wide' },
        consoleHeader('工作人员账号'),
        error,
        h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/console' }, '返回列表')),
        h('table', { class: 'staff' },
          h('thead', {}, h('tr', {}, ['用户名', '姓名', '角色', '手机号', '状态', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, accounts.map((/** @type {any} */ a) => h('tr', { dataset: { username: a.username } },
            h('td', { class: 'mono' }, a.username), h('td', {}, a.name),
            h('td', {}, STAFF_ROLE_LABELS[/** @type {import('../protocol.js').StaffRole} */ (a.role)] ?? a.role),
            h('td', { class: 'mono' }, a.mobile ?? ''),
            h('td', {}, a.disabled ? h('span', { class: 'status cancelled' }, '已停用') : '正常'),
            h('td', { class: 'nowrap' },
              a.disabled
                ? h('button', { type: 'button', class: 'link', name: 'enable', onclick: () => changeAccount(a.id, { disabled: false }) }, '启用')
                : a.id === session.staff?.id ? null : h('button', { type: 'button', class: 'link', name: 'disable', onclick: () => stop(a) }, '停用'),
              h('button', { type: 'button', class: 'link', name: 'reset-password', onclick: () => resetPassword(a) }, '重设密码')))))),
        h('h2', {}, '密码错误记录'),
        locks.length
          ? h('ul', { class: 'login-locks' }, locks.map((/** @type {any} */ lock) => h('li', { dataset: { username: lock.username } },
            `${lock.username}　错误${lock.failures}次`,
            lock.locked_until_ms && lock.locked_until_ms > Date.now() ? `　锁定至 ${formatTime(lock.locked_until_ms)}` : '',
            h('button', { type: 'button', class: 'link', name: 'unlock', onclick: () => unlock(lock.username) }, '解锁'))))
          : h('p', { class: 'empty' }, '没有密码错误记录'),
        form));
    } catch (e) {
      replace(this, h('section', { class: 'card' }, consoleHeader('工作人员账号'), h('p', { class: 'error' }, /** @type {Error} */ (e).message)));
    }
  }
}

customElements.define('ct-staff', StaffPage);
