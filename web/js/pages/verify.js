// 笔录核验: whoever holds a record PDF (a party, a lawyer, another court)
// checks it against the court's own record. The file's SHA-256 is computed
// here and only it is sent (POST /api/records/verify): a file the court did
// not make, or one changed by a single byte since, is not found.

import { api } from '../api.js';
import { fileSha256, hex } from '../sha256.js';
import { formatTime, h, replace } from '../dom.js';
import { label } from '../labels.js';
import { CHANNEL_LABELS, PATHS } from '../protocol.js';

/** The server's answer, as a reader takes it in. @param {any} v */
function verdict(v) {
  if (!v.found) {
    return [h('p', { class: 'error', id: 'verify-result' }, '未找到：该文件不是本院出具的笔录，或出具后已被改动。')];
  }
  const signing = v.complete === true ? '已全部签名'
    : v.complete === false ? `签名未完成：${v.unsigned.map(label).join('、')}未签名`
      : '未要求签名';
  return [
    h('p', { class: 'notice', id: 'verify-result' },
      v.kind === 'signed_pdf' ? '本院出具的签名笔录，与法院保存的一致。' : '与本院保存的笔录一致。'),
    h('dl', { class: 'record-header' },
      h('dt', {}, '法院'), h('dd', {}, v.court ?? ''),
      h('dt', {}, '案号'), h('dd', {}, v.case_number ?? ''),
      h('dt', {}, '案由'), h('dd', {}, v.case_title ?? ''),
      h('dt', {}, '版本'), h('dd', {}, `第${v.version}版`),
      h('dt', {}, '签名'), h('dd', { id: 'verify-signing' }, signing)),
    v.superseded_by ? h('p', { class: 'error', id: 'verify-superseded' }, `注意：此后笔录已修改为第${v.superseded_by}版，此为第${v.version}版。`) : null,
    h('ul', { class: 'verified-signatures' }, v.signatures.map((/** @type {any} */ s) => h('li', {},
      `${label(s.signer)}　${formatTime(s.signed_at_ms)}　${CHANNEL_LABELS[/** @type {import('../protocol.js').SigningChannel} */ (s.via)] ?? ''}　`,
      h('strong', { class: s.valid ? 'valid' : 'error' }, s.valid ? '签名有效' : '签名无效')))),
  ];
}

class VerifyPage extends HTMLElement {
  connectedCallback() {
    const result = h('div', { class: 'verification', id: 'verification', role: 'status' });
    // Only the file chosen last is answered: an earlier file's slower answer is not shown for it.
    let asked = 0;
    const file = h('input', {
      type: 'file', name: 'record-pdf', accept: 'application/pdf,.pdf',
      onchange: async () => {
        const chosen = /** @type {HTMLInputElement} */ (file).files?.[0];
        const ask = ++asked;
        if (!chosen) return replace(result);
        replace(result, h('p', { class: 'hint' }, '正在核验…'));
        /** @type {any[]} */
        let shown;
        try {
          // The file stays on this computer: only its SHA-256 is sent.
          const sha256 = hex(await fileSha256(chosen));
          shown = verdict(await api('POST', PATHS.recordsVerify, { body: { sha256 } }));
        } catch (e) {
          shown = [h('p', { class: 'error' }, /** @type {Error} */ (e).message)];
        }
        if (ask === asked) replace(result, ...shown);
      },
    });
    replace(this, h('section', { class: 'card narrow' },
      h('h1', {}, '笔录核验'),
      h('p', {}, '选择本院出具的庭审笔录PDF，核对它与法院保存的笔录是否一致、签名是否有效。只核对文件的指纹（SHA-256），在本机计算，文件不会上传。'),
      h('label', {}, '笔录PDF', file),
      result));
  }
}

customElements.define('ct-verify', VerifyPage);
