// The mobile signing page a party opens by scanning the QR code on their PC:
// the single-use token is in the URL's fragment (never sent to any server in
// a request line or referrer). It shows who signs and the frozen record, and
// sends the drawn signature.

import { api } from './api.js';
import { formatTime, h, replace } from './dom.js';
import { label } from './labels.js';
import { recordDocument } from './record/document.js';
import './record/signature-pad.js';

const main = /** @type {HTMLElement} */ (document.getElementById('sign'));
const token = decodeURIComponent(window.location.hash.slice(1));
// The token stays in memory only: a reload or the history cannot replay it.
history.replaceState(null, '', window.location.pathname);

/** @param {string} message */
function failed(message) {
  replace(main, h('section', { class: 'card narrow sign-result' }, h('p', { class: 'error', role: 'alert', id: 'sign-error' }, message)));
}

async function open() {
  if (!token) return failed('签名二维码无效或已过期，请在电脑上重新获取二维码');
  let page;
  try {
    page = await api('POST', '/api/sign/open', { body: { token } });
  } catch (e) {
    return failed(/** @type {Error} */ (e).message);
  }
  const pad = /** @type {import('./record/signature-pad.js').SignaturePad} */ (h('ct-signature-pad', { id: 'signature-pad' }));
  const error = h('p', { class: 'error', role: 'alert' });
  const confirm = h('button', { type: 'button', class: 'primary', name: 'confirm-signature', disabled: true }, '确认签名');
  pad.addEventListener('change', () => {
    confirm.disabled = pad.isEmpty();
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    error.textContent = '';
    try {
      await api('POST', '/api/sign/submit', {
        body: { token, signer_id: page.signer.id, version_sha256: page.record.sha256, image_png: await pad.pngBase64() },
      });
    } catch (e) {
      error.textContent = /** @type {Error} */ (e).message;
      confirm.disabled = pad.isEmpty();
      return;
    }
    replace(main, h('section', { class: 'card narrow sign-result' },
      h('p', { class: 'notice', id: 'sign-done' }, '签名成功'),
      h('p', { class: 'hint' }, '请返回电脑查看签名。')));
  });
  replace(main, h('section', { class: 'card sign-page' },
    h('h1', {}, '笔录签名'),
    h('p', { id: 'signer' }, `签名人：${label(page.signer)}`),
    h('p', { class: 'hint' }, `请仔细阅读以下笔录（第${page.record.version}版），确认无误后签名。二维码于 ${formatTime(page.expires_at_ms)} 失效。`),
    recordDocument(page.record),
    h('h2', {}, '签名'),
    pad,
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', name: 'clear-signature', onclick: () => pad.clear() }, '重写'),
      confirm)));
}

open();
