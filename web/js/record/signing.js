// Signing status shared by the clerk's editor and the parties' panel: who must
// sign which version, and who has.

import { blobUrl } from '../api.js';
import { formatTime, h } from '../dom.js';
import { label } from '../labels.js';

/**
 * @typedef {{id: number, round_id: number, signer: {id: number, name: string, role: string}, version: number,
 *   version_sha256: string, image_sha256: string, signed_at_ms: number, via: 'app'|'qr'}} SignatureInfo
 * @typedef {{id: number, version: number, version_sha256: string, started_by: string, started_at_ms: number,
 *   superseded_at_ms: number|null, signers: {participant: {id: number, name: string, role: string}, signature: SignatureInfo|null}[]}} SigningRound
 * @typedef {{hearing_id: number, latest: import('./document.js').RecordVersion|null,
 *   suggested_header: import('./document.js').RecordHeader, signing: SigningRound|null,
 *   may_edit: boolean, must_sign: boolean, my_signature: SignatureInfo|null}} RecordView
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
  const state = round.superseded_at_ms
    ? `笔录已修改，第${round.version}版的签名已作废，需重新发起签名`
    : allSigned(round) ? `第${round.version}版已全部签名` : `第${round.version}版签名中`;
  return h('div', { class: `signing-status${round.superseded_at_ms ? ' superseded' : ''}`, dataset: { round: String(round.id) } },
    h('p', { class: 'signing-state' }, state, h('span', { class: 'meta' }, `　${round.started_by}于${formatTime(round.started_at_ms)}发起签名`)),
    h('ul', { class: 'signers' }, round.signers.map((s) =>
      h('li', { class: s.signature ? 'signed' : 'unsigned', dataset: { signer: String(s.participant.id) } },
        h('span', {}, label(s.participant)),
        h('span', { class: 'signer-state' }, s.signature ? `已签名 ${formatTime(s.signature.signed_at_ms)}` : '未签名')))));
}

/**
 * Downloads the signed record PDF.
 * @param {string} token
 * @param {number} hearingId
 * @param {string} name file name
 */
export async function downloadPdf(token, hearingId, name) {
  const url = await blobUrl(`/api/hearings/${hearingId}/record/pdf`, token);
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
