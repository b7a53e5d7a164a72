// The mobile signing page a party opens by scanning the QR code on their PC:
// the single-use token is in the URL's fragment (never sent to any server in
// a request line or referrer). It shows who signs, the frozen record and how
// long the link has left; while the party reads or draws, the page renews
// the link, so nobody loses a signature for taking their time. A new QR code
// opened in this tab takes over with the drawing kept.

import { api, ApiError, learnCourtClock } from './api.js';
import { formatTime, h, replace } from './dom.js';
import { label } from './labels.js';
import { PATHS } from './protocol.js';
import { recordDocument } from './record/document.js';
import './record/signature-pad.js';

/** Renew when someone is active and less than this is left. */
const RENEW_BELOW_MS = 4 * 60_000;
/** …but not more often than this. */
const RENEW_EVERY_MS = 30_000;

const main = /** @type {HTMLElement} */ (document.getElementById('sign'));

/** The token of the link this page was opened with, or opened with since. */
let token = '';
/** @type {import('./protocol.js').QrSigningPage|null} */
let page = null;
let expiresAt = 0;
let lastRenewal = 0;
let signed = false;
/** @type {import('./record/signature-pad.js').SignaturePad|null} */
let pad = null;
/** @type {HTMLElement|null} */
let left = null;
/** @type {HTMLButtonElement|null} */
let confirm = null;
/** @type {HTMLElement|null} */
let error = null;

/** Takes the token from the fragment, and clears it: a reload or the history cannot replay it. */
function takeToken() {
  const fresh = decodeURIComponent(window.location.hash.slice(1));
  if (fresh) history.replaceState(null, '', window.location.pathname);
  return fresh;
}

/** @param {string} message */
function failed(message, id = 'sign-error') {
  replace(main, h('section', { class: 'card narrow sign-result' }, h('p', { class: id === 'sign-error' ? 'error' : 'notice', role: 'alert', id }, message)));
}

/** @param {unknown} e */
function alreadySigned(e) {
  return e instanceof ApiError && e.code === 'conflict' && e.message.startsWith('您已签名');
}

async function open() {
  if (!token) return failed('签名二维码无效或已过期，请在电脑上重新获取二维码');
  /** @type {import('./protocol.js').QrSigningPage} */
  let opened;
  try {
    opened = await api('POST', PATHS.signOpen, { body: { token } });
  } catch (e) {
    // A rescanned code of a party who has signed says so.
    if (alreadySigned(e)) return failed(/** @type {Error} */ (e).message, 'sign-already');
    if (pad && page) return expired(/** @type {Error} */ (e).message);
    return failed(/** @type {Error} */ (e).message);
  }
  expiresAt = opened.expires_at_ms;
  lastRenewal = Date.now();
  // The same round (a new code for the same record): keep what was drawn.
  if (page && pad && page.round_id === opened.round_id && page.signer.id === opened.signer.id) {
    page = opened;
    if (error) error.textContent = '';
    if (confirm) confirm.disabled = pad.isEmpty();
    tick();
    return;
  }
  page = opened;
  render(opened);
}

/** @param {import('./protocol.js').QrSigningPage} opened */
function render(opened) {
  pad = /** @type {import('./record/signature-pad.js').SignaturePad} */ (h('ct-signature-pad', { id: 'signature-pad' }));
  error = h('p', { class: 'error', role: 'alert', id: 'sign-problem' });
  left = h('p', { class: 'hint', id: 'time-left', role: 'timer' });
  const button = h('button', { type: 'button', class: 'primary', name: 'confirm-signature', disabled: true }, '确认签名');
  confirm = button;
  const drawing = pad;
  drawing.addEventListener('change', () => {
    button.disabled = drawing.isEmpty();
    activity();
  });
  button.addEventListener('click', submit);
  replace(main, h('section', { class: 'card sign-page' },
    h('h1', {}, '笔录签名'),
    h('p', { id: 'signer' }, `签名人：${label(opened.signer)}`),
    h('p', { class: 'hint' }, `请仔细阅读以下笔录（第${opened.record.version}版），确认无误后签名。`),
    left,
    recordDocument(opened.record),
    h('h2', {}, '签名'),
    drawing,
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', name: 'clear-signature', onclick: () => drawing.clear() }, '重写'),
      button)));
  tick();
}

async function submit() {
  if (!page || !pad || !confirm || !error) return;
  confirm.disabled = true;
  confirm.textContent = '正在提交签名…';
  error.textContent = '';
  try {
    await api('POST', PATHS.signSubmit, {
      body: { token, signer_id: page.signer.id, version_sha256: page.record.sha256, image_png: await pad.pngBase64() },
    });
  } catch (e) {
    confirm.textContent = '确认签名';
    if (alreadySigned(e)) return failed(/** @type {Error} */ (e).message, 'sign-already');
    const lost = e instanceof ApiError && (e.status === 0 || e.status >= 500);
    const outcome = lost ? await arrived() : 'no';
    if (outcome === 'yes') return done();
    error.textContent = outcome === 'unknown'
      ? '网络连接失败，未能确认签名是否已提交。请在网络恢复后再次点击“确认签名”（不会重复签名）。'
      : /** @type {Error} */ (e).message;
    confirm.disabled = pad.isEmpty();
    return;
  }
  done();
}

/**
 * A signature whose answer was lost may have been recorded all the same: the server says
 * whether this party has signed ('yes'), has not ('no'), or cannot be asked ('unknown').
 * @returns {Promise<'yes'|'no'|'unknown'>}
 */
async function arrived() {
  try {
    await api('POST', PATHS.signOpen, { body: { token } });
    return 'no';
  } catch (e) {
    if (alreadySigned(e)) return 'yes';
    return e instanceof ApiError && e.status !== 0 && e.status < 500 ? 'no' : 'unknown';
  }
}

function done() {
  signed = true;
  replace(main, h('section', { class: 'card narrow sign-result' },
    h('p', { class: 'notice', id: 'sign-done' }, '签名成功'),
    h('p', { class: 'hint', id: 'sign-next' }, '可回到庭审页面，在“庭审笔录”中点击“查看签名”查看。')));
}

/** The link can no longer be used; the drawing stays for a new code. */
function expired(/** @type {string} */ message) {
  expiresAt = 0;
  if (confirm) confirm.disabled = true;
  if (error) error.textContent = `${message}。您的签名已保留：请在电脑上点击“重新获取二维码”，再用本页所在的浏览器扫描新二维码。`;
  tick();
}

/** How long is left, every second. */
function tick() {
  if (!left) return;
  const remaining = expiresAt - Date.now();
  if (remaining <= 0) {
    left.textContent = '二维码已过期';
    left.classList.add('error');
    return;
  }
  left.classList.remove('error');
  const minutes = Math.floor(remaining / 60_000);
  const seconds = Math.floor((remaining % 60_000) / 1000);
  left.textContent = `二维码剩余有效时间 ${minutes}分${String(seconds).padStart(2, '0')}秒（${formatTime(expiresAt)} 失效；阅读或书写时自动延长）`;
}

/** The party is reading or drawing: keep the link valid. */
async function activity() {
  if (signed || !page || expiresAt <= Date.now()) return;
  if (expiresAt - Date.now() > RENEW_BELOW_MS || Date.now() - lastRenewal < RENEW_EVERY_MS) return;
  lastRenewal = Date.now();
  try {
    const renewed = await api('POST', PATHS.signRenew, { body: { token } });
    expiresAt = renewed.expires_at_ms;
    tick();
  } catch (e) {
    if (alreadySigned(e)) failed(/** @type {Error} */ (e).message, 'sign-already');
    else if (e instanceof ApiError && e.status !== 0) expired(e.message);
  }
}

for (const kind of ['pointerdown', 'keydown', 'scroll', 'touchstart']) {
  window.addEventListener(kind, () => activity(), { passive: true, capture: true });
}
setInterval(tick, 1000);
// A new QR code opened in this tab (only the fragment changes): use its token.
window.addEventListener('hashchange', () => {
  const fresh = takeToken();
  if (!fresh || fresh === token) return;
  token = fresh;
  signed = false;
  open();
});

token = takeToken();
await learnCourtClock();
open();
