// 庭审笔录 in the court console: the clerk's editor for one hearing.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { staffSession } from '../session.js';
import '../record/editor.js';
import { consoleHeader } from './console.js';
import { PATHS, path } from '../protocol.js';

class RecordPage extends HTMLElement {
  async connectedCallback() {
    const session = staffSession();
    if (!session) return;
    const id = Number(this.dataset.id);
    let hearing;
    try {
      hearing = await api('GET', path(PATHS.hearing, id), { token: session.token });
    } catch (e) {
      replace(this, h('section', { class: 'card' }, consoleHeader('庭审笔录'), h('p', { class: 'error' }, /** @type {Error} */ (e).message)));
      return;
    }
    const editor = /** @type {import('../record/editor.js').RecordEditor} */ (h('ct-record-editor', {}));
    replace(this, h('section', { class: 'card wide' },
      consoleHeader(`庭审笔录　${hearing.case_number}`),
      h('p', { class: 'meta' }, `${hearing.case_title}　${hearing.courtroom}　${hearing.scheduled_at}`),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/console/hearing/${id}` }, '返回庭审')),
      editor));
    editor.setup(session.token, id);
  }
}

customElements.define('ct-record-page', RecordPage);
