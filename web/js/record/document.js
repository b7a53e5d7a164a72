// A court record version as a document: the header, then who said what, and
// the version's number and SHA-256 at the foot; and the list of versions.

import { formatTime, h, hashView } from '../dom.js';

/**
 * @typedef {import('../protocol.js').RecordHeader} RecordHeader
 * @typedef {import('../protocol.js').RecordVersion} RecordVersion
 */

/** The header's fields in the order printed, with their names. */
export const HEADER_FIELDS = /** @type {const} */ ([
  ['case_number', '案号'], ['case_title', '案由'], ['time', '时间'], ['place', '地点'],
  ['judges', '审判人员'], ['clerk', '书记员'], ['present', '到庭人员'],
]);

/**
 * One header field as text (lists joined with 、).
 * @param {RecordHeader} header
 * @param {typeof HEADER_FIELDS[number][0]} key
 */
export function headerText(header, key) {
  const value = header[key];
  return Array.isArray(value) ? value.join('、') : value;
}

/**
 * @param {RecordVersion} version
 * @returns {HTMLElement}
 */
export function recordDocument(version) {
  const { header, paragraphs } = version.content;
  return h('article', { class: 'record-document', dataset: { version: String(version.version) } },
    h('h3', { class: 'record-title' }, '庭审笔录'),
    h('dl', { class: 'record-header' }, HEADER_FIELDS.flatMap(([key, name]) => [h('dt', {}, name), h('dd', {}, headerText(header, key))])),
    paragraphs.length
      ? h('div', { class: 'record-body' }, paragraphs.map((p) =>
        h('p', { class: 'record-paragraph' }, h('span', { class: 'speaker' }, `${p.speaker}：`), p.text)))
      : h('p', { class: 'empty' }, '笔录正文尚未记录'),
    h('footer', { class: 'record-foot meta' }, saved(version)));
}

/**
 * Which version, who saved it, when, and its SHA-256.
 * @param {{version: number, saved_by: string, saved_at_ms: number, sha256: string}} version
 */
function saved(version) {
  return [`第${version.version}版　${version.saved_by}　${formatTime(version.saved_at_ms)}　`, hashView(version.sha256)];
}

/**
 * The record's versions, oldest first: who saved each, when, and its SHA-256.
 * @param {any[]} versions the record's history
 * @param {(version: number) => void} [open] shows one version
 * @returns {HTMLElement[]}
 */
export function versionList(versions, open) {
  return versions.map((v) => h('li', { dataset: { version: String(v.version) } }, saved(v),
    open ? h('button', { type: 'button', class: 'link', name: 'open-version', onclick: () => open(v.version) }, '查看') : null));
}
