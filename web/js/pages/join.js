// 会议号登录: the meeting number from the SMS, the mobile number, a code by SMS.

import { api } from '../api.js';
import { browserDevice, onPhone } from '../device.js';
import { h, replace } from '../dom.js';
import { go } from '../nav.js';
import { PATHS } from '../protocol.js';
import { setParticipantSession } from '../session.js';

/** Where this tab keeps the challenge of the last code it asked for. */
const CHALLENGE_KEY = 'cloudtrial.login-challenge';

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

    // One message at a time: a notice and an error never stand side by side.
    const say = (/** @type {string} */ text, /** @type {'notice'|'error'} */ kind) => {
      notice.textContent = kind === 'notice' ? text : '';
      error.textContent = kind === 'error' ? text : '';
    };

    send.addEventListener('click', async () => {
      say('', 'error');
      if (!/^\d{8}$/.test(meeting.value.trim())) return say('会议号应为8位数字', 'error');
      if (!/^(\+?86)?1[3-9]\d{9}$/.test(mobile.value.replace(/[\s-]/g, ''))) return say('请输入11位手机号', 'error');
      try {
        const sent = await api('POST', PATHS.loginCode, { body: { meeting_number: meeting.value.trim(), mobile: mobile.value.trim() } });
        // The code is good only with this request's challenge, which this tab alone holds (a reload keeps it).
        sessionStorage.setItem(CHALLENGE_KEY, sent.challenge);
        say('如会议号和手机号无误，验证码已发送至您的手机。', 'notice');
        countdown(sent.resend_after_secs);
        code.focus();
      } catch (e) {
        say(/** @type {Error} */ (e).message, 'error');
      }
    });

    const form = h(
      'form',
      {
        class: 'card narrow',
        onsubmit: async (/** @type {SubmitEvent} */ event) => {
          event.preventDefault();
          say('', 'error');
          try {
            const session = await api('POST', PATHS.loginVerify, {
              body: { meeting_number: meeting.value.trim(), mobile: mobile.value.trim(), code: code.value.trim(), challenge: sessionStorage.getItem(CHALLENGE_KEY) ?? '', device: browserDevice() },
            });
            sessionStorage.removeItem(CHALLENGE_KEY);
            setParticipantSession(session);
            go('#/room');
          } catch (e) {
            say(/** @type {Error} */ (e).message, 'error');
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
      h('p', { class: 'hint', id: 'join-hint' }, onPhone()
        ? '登录后先进行设备检测，再进入庭审。请允许浏览器使用摄像头和麦克风，并保持网络畅通。'
        : '登录后先进行设备检测，再进入庭审。请使用带摄像头和麦克风的电脑，并保持网络畅通。'),
    );
    replace(this, form);
  }
}

customElements.define('ct-join', JoinPage);
