// Signing status shared by the clerk's editor and the parties' panel: who must
// sign which version, and who has.

import { ApiError } from '../api.js';
import { formatTime, h } from '../dom.js';
import { label } from '../labels.js';
import { PATHS, path } from '../protocol.js';

/**
 * @typedef {import('../protocol.js').SignatureInfo} SignatureInfo
 * @typedef {import('../protocol.js').SigningRound} SigningRound
 * @typedef {import('../protocol.js').RecordView} RecordView
 */

/** @param {SigningRound} round */
export function allSigned(round) {
  return round.signers.every((s) => s.signature);
}

/**
 * The round's state in one block: 签名中 / 已全部签名 / 已作废, and each signer.
 * @param {SigningRound} round
 */
export function signingStatus(round) {
  const signed = round.signers.filter((s) => s.signature).length;
  const state = round.superseded_at_ms
    ? `笔录已修改，第${round.version}版的签名已作废，需重新发起签名`
    : allSigned(round) ? `第${round.version}版已全部签名` : `第${round.version}版签名中（${signed}/${round.signers.length}）`;
  return h('div', { class: `signing-status${round.superseded_at_ms ? ' superseded' : ''}`, dataset: { round: String(round.id) } },
    h('p', { class: 'signing-state' }, state, h('span', { class: 'meta' }, `　${round.started_by}于${formatTime(round.started_at_ms)}发起签名`)),
    h('ul', { class: 'signers' }, round.signers.map((s) =>
      h('li', { class: s.signature ? 'signed' : 'unsigned', dataset: { signer: String(s.participant.id) } },
        h('span', {}, label(s.participant)),
        h('span', { class: 'signer-state' }, s.signature ? `已签名 ${formatTime(s.signature.signed_at_ms)}` : '未签名')))));
}

/**
 * Downloads the signed record PDF under the server's file name (which says
 * 签名未完成 until everyone has signed, as every page of it does).
 * @param {string} token
 * @param {number} hearingId
 */
export async function downloadPdf(token, hearingId) {
  let response;
  try {
    response = await fetch(path(PATHS.recordPdf, hearingId), { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body?.code ?? 'fetch', body?.message ?? '文件加载失败');
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const name = encoded ? decodeURIComponent(encoded) : '庭审笔录.pdf';
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
