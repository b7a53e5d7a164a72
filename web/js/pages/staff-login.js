// 法院工作人员登录: username and password, for the court console.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { go } from '../nav.js';
import { setStaffSession } from '../session.js';
import { PATHS } from '../protocol.js';

class StaffLoginPage extends HTMLElement {
  connectedCallback() {
    const username = h('input', { name: 'username', autocomplete: 'username', required: true });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const error = h('p', { class: 'error', role: 'alert' });
    replace(
      this,
      h(
        'form',
        {
          class: 'card narrow',
          onsubmit: async (/** @type {SubmitEvent} */ event) => {
            event.preventDefault();
            error.textContent = '';
            try {
              setStaffSession(await api('POST', PATHS.staffLogin, { body: { username: username.value.trim(), password: password.value } }));
              go('#/console');
            } catch (e) {
              error.textContent = /** @type {Error} */ (e).message;
            }
          },
        },
        h('h1', {}, '法院工作人员登录'),
        h('label', {}, '用户名', username),
        h('label', {}, '密码', password),
        error,
        h('button', { type: 'submit', class: 'primary', name: 'login' }, '登录'),
      ),
    );
  }
}

customElements.define('ct-staff-login', StaffLoginPage);
