// The court console: hearings of today, upcoming, and over; search by 案号.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { STATUS_LABELS } from '../labels.js';
import { go } from '../nav.js';
import { setParticipantSession, setStaffSession, staffSession } from '../session.js';
import { HEARING_LIST_LIMIT, PATHS } from '../protocol.js';
import { recordKeptBeforeLeaving } from '../record/editor.js';

const FILTERS = /** @type {const} */ ([
  ['today', '今日庭审'],
  ['upcoming', '即将开庭'],
  ['closed', '已结束'],
  ['all', '全部'],
]);

/** The console's title bar: who is logged in, and logging out. */
export function consoleHeader(/** @type {string} */ title) {
  const session = staffSession();
  return h(
    'div',
    { class: 'page-head' },
    h('h1', {}, title),
    h('div', { class: 'who' },
      h('span', {}, session ? `${session.staff.name}（${{ judge: '法官', clerk: '书记员', admin: '管理员' }[session.staff.role] ?? ''}）` : ''),
      h('button', {
        class: 'link', type: 'button',
        onclick: async () => {
          // The record being written on the console is saved first, or dropped only when the clerk says so.
          if (!(await recordKeptBeforeLeaving())) return;
          if (session) await api('POST', PATHS.logout, { token: session.token }).catch(() => {});
          // The server ends the room session entered from this login too.
          setStaffSession(null);
          setParticipantSession(null);
          go('#/console');
        },
      }, '退出')),
  );
}

class ConsolePage extends HTMLElement {
  connectedCallback() {
    this.filter = 'upcoming';
    /** Which call of `load` is the latest: only its list is shown. */
    this.loads = 0;
    this.search = h('input', { type: 'search', name: 'case-number', placeholder: '按案号搜索', oninput: () => this.load() });
    this.tabs = h('nav', { class: 'tabs' });
    this.table = h('div', { class: 'list' });
    this.error = h('p', { class: 'error', role: 'alert' });
    replace(
      this,
      h('section', { class: 'card wide' },
        consoleHeader('庭审列表'),
        h('div', { class: 'toolbar' }, this.tabs, this.search,
          // Administrators manage accounts; judges and clerks book (the server's rule).
          staffSession()?.staff.role === 'admin'
            ? h('a', { class: 'button primary', href: '#/console/staff', name: 'staff' }, '工作人员账号')
            : h('a', { class: 'button primary', href: '#/console/book', name: 'book' }, '预定网上开庭')),
        this.error,
        this.table),
    );
    this.load();
  }

  async load() {
    const session = staffSession();
    if (!session || !this.table || !this.tabs || !this.search) return;
    replace(this.tabs, FILTERS.map(([key, text]) =>
      h('button', { type: 'button', class: key === this.filter ? 'tab active' : 'tab', onclick: () => { this.filter = key; this.load(); } }, text)));
    const query = new URLSearchParams({ filter: this.filter ?? 'upcoming' });
    if (this.search.value.trim()) query.set('case_number', this.search.value.trim());
    const load = (this.loads = (this.loads ?? 0) + 1);
    try {
      const hearings = await api('GET', `${PATHS.hearings}?${query}`, { token: session.token });
      // A slower answer to an earlier search (or tab) must not replace this one's.
      if (load !== this.loads) return;
      if (this.error) this.error.textContent = '';
      if (!hearings.length) {
        replace(this.table, h('p', { class: 'empty' }, '没有庭审'));
        return;
      }
      replace(this.table, h('table', { class: 'hearing-list' },
        hearings.length >= HEARING_LIST_LIMIT
          ? h('caption', { class: 'hint', id: 'list-limit' }, `仅列出${HEARING_LIST_LIMIT}场庭审，请输入案号查找其余的庭审`)
          : null,
        h('thead', {}, h('tr', {}, ['案号', '案由', '开庭时间', '法庭', '状态', '会议号', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, hearings.map((/** @type {any} */ hearing) => h('tr', { dataset: { hearing: String(hearing.id) } },
          h('td', { class: 'nowrap' }, hearing.case_number),
          h('td', { class: 'case-title', title: hearing.case_title }, hearing.case_title),
          h('td', { class: 'nowrap' }, hearing.scheduled_at),
          h('td', {}, hearing.courtroom),
          h('td', { class: 'nowrap' }, h('span', { class: `status ${hearing.status}` }, STATUS_LABELS[hearing.status])),
          h('td', { class: 'mono nowrap' }, hearing.meeting_number),
          h('td', { class: 'nowrap' }, h('a', { href: `#/console/hearing/${hearing.id}` }, '查看')))))));
    } catch (e) {
      if (/** @type {any} */ (e).status === 401) {
        setStaffSession(null);
        go('#/console');
      } else if (this.error) this.error.textContent = /** @type {Error} */ (e).message;
    }
  }
}

customElements.define('ct-console', ConsolePage);
