// A court record version as a document: the header, then who said what, and
// the version's number and SHA-256 at the foot.

import { formatTime, h } from '../dom.js';

/**
 * @typedef {{case_number: string, case_title: string, time: string, place: string,
 *   judges: string[], clerk: string, present: string[]}} RecordHeader
 * @typedef {{speaker: string, text: string}} RecordParagraph
 * @typedef {{hearing_id: number, version: number, content: {header: RecordHeader, paragraphs: RecordParagraph[]},
 *   sha256: string, saved_by: string, saved_at_ms: number}} RecordVersion
 */

/** @param {RecordHeader} header */
export function headerLines(header) {
  return [
    ['案号', header.case_number],
    ['案由', header.case_title],
    ['时间', header.time],
    ['地点', header.place],
    ['审判人员', header.judges.join('、')],
    ['书记员', header.clerk],
    ['到庭人员', header.present.join('、')],
  ];
}

/**
 * @param {RecordVersion} version
 * @returns {HTMLElement}
 */
export function recordDocument(version) {
  const { header, paragraphs } = version.content;
  return h('article', { class: 'record-document', dataset: { version: String(version.version) } },
    h('h3', { class: 'record-title' }, '庭审笔录'),
    h('dl', { class: 'record-header' }, headerLines(header).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
    paragraphs.length
      ? h('div', { class: 'record-body' }, paragraphs.map((p) =>
        h('p', { class: 'record-paragraph' }, h('span', { class: 'speaker' }, `${p.speaker}：`), p.text)))
      : h('p', { class: 'empty' }, '笔录正文尚未记录'),
    h('footer', { class: 'record-foot meta' },
      `第${version.version}版　${version.saved_by}　${formatTime(version.saved_at_ms)}　`,
      h('span', { class: 'mono hash', title: 'SHA-256' }, `SHA-256 ${version.sha256}`)));
}
