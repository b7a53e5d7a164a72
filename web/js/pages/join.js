// 会议号登录: the meeting number from the SMS, the mobile number, a code by SMS.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { go } from '../nav.js';
import { setParticipantSession } from '../session.js';

class JoinPage extends HTMLElement {
  connectedCallback() {
    const meeting = h('input', {
      name: 'meeting', inputMode: 'numeric', maxLength: 8, autocomplete: 'off', required: true,
      placeholder: '8位会议号', value: this.dataset.meeting ?? '',
    });
    const mobile = h('input', { name: 'mobile', inputMode: 'tel', maxLength: 14, required: true, placeholder: '接收短信的手机号' });
    const code = h('input', { name: 'code', inputMode: 'numeric', maxLength: 6, autocomplete: 'one-time-code', placeholder: '6位验证码' });
    const send = h('button', { type: 'button', class: 'secondary', name: 'send-code' }, '获取验证码');
    const error = h('p', { class: 'error', role: 'alert' });
    const notice = h('p', { class: 'notice' });
    /** @type {number|undefined} */
    let timer;

    const countdown = (/** @type {number} */ seconds) => {
      send.disabled = true;
      let left = seconds;
      send.textContent = `${left}秒后重新获取`;
      clearInterval(timer);
      timer = window.setInterval(() => {
        left -= 1;
        if (left <= 0) {
          clearInterval(timer);
          send.disabled = false;
          send.textContent = '获取验证码';
        } else send.textContent = `${left}秒后重新获取`;
      }, 1000);
    };

    send.addEventListener('click', async () => {
      error.textContent = '';
      if (!/^\d{8}$/.test(meeting.value.trim())) {
        error.textContent = '会议号应为8位数字';
        return;
      }
      try {
        const sent = await api('POST', '/api/login/code', { body: { meeting_number: meeting.value.trim(), mobile: mobile.value.trim() } });
        notice.textContent = '如会议号和手机号无误，验证码已发送至您的手机。';
        countdown(sent.resend_after_secs);
        code.focus();
      } catch (e) {
        error.textContent = /** @type {Error} */ (e).message;
      }
    });

    const form = h(
      'form',
      {
        class: 'card narrow',
        onsubmit: async (/** @type {SubmitEvent} */ event) => {
          event.preventDefault();
          error.textContent = '';
          try {
            const session = await api('POST', '/api/login/verify', {
              body: { meeting_number: meeting.value.trim(), mobile: mobile.value.trim(), code: code.value.trim(), device: 'pc_browser' },
            });
            setParticipantSession(session);
            go('#/room');
          } catch (e) {
            error.textContent = /** @type {Error} */ (e).message;
          }
        },
      },
      h('h1', {}, '会议号登录'),
      h('label', {}, '会议号', meeting),
      h('label', {}, '手机号', mobile),
      h('label', {}, '验证码', h('div', { class: 'inline' }, code, send)),
      notice,
      error,
      h('button', { type: 'submit', class: 'primary', name: 'login' }, '登录'),
      h('p', { class: 'hint' }, '登录后将直接进入庭审。请使用带摄像头和麦克风的电脑，并保持网络畅通。'),
    );
    replace(this, form);
  }
}

customElements.define('ct-join', JoinPage);
