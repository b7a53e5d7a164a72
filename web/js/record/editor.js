// The clerk's record editor: the header filled from the hearing, paragraphs
// of speaker and text, autosave (every save a new version, none overwritten),
// 发起签名, the signing status, the signed PDF and the version history.

import { api, ApiError } from '../api.js';
import { confirmDialog, formatClockTime, h, replace } from '../dom.js';
import { PATHS, ROLE_LABELS, SIGNING_STATUSES, path } from '../protocol.js';
import { HEADER_FIELDS, headerText, recordDocument, versionList } from './document.js';
import { allSigned, downloadPdf, signingStatus } from './signing.js';

/** @typedef {import('./signing.js').RecordView} RecordView */

const AUTOSAVE_MS = 1200;
const MAX_UNSAVED_MS = 8000;
const RETRY_MS = 3000;
const POLL_MS = 5000;
const LISTS = ['judges', 'present'];
/** Where text not yet saved is kept in this browser, so a crash or a closed tab loses none of it. */
const DRAFT_KEY = 'cloudtrial.record-draft.';

/** @typedef {{base: number|null, content: import('../protocol.js').RecordContent}} Draft */

export class RecordEditor extends HTMLElement {
  /** @type {number|null} */
  base = null;
  dirty = false;
  /** @type {Promise<void>|null} the save running now (and any asked for meanwhile) */
  saving = null;
  again = false;
  /** Editing waits while the version shown is being signed, until the clerk chooses to change it. */
  locked = false;
  /** @type {number|null} the signing round whose version the clerk chose to change anyway */
  unlockedRound = null;
  /** @type {string} JSON of the last saved content */
  saved = '';
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  timer = undefined;
  /** @type {ReturnType<typeof setInterval>|undefined} */
  poll = undefined;
  /** @type {number|undefined} when the unsaved changes began */
  dirtySince = undefined;
  /** @type {import('../protocol.js').HearingStatus|null} the hearing's state, when the host knows it live (the room) */
  hearingStatus = null;
  /** @type {RecordView|null} */
  lastView = null;
  /** @type {string|null} JSON of content sent in a save whose answer never came: it may have been saved */
  unanswered = null;
  /** Someone else saved since this editor's version: nothing is saved until the clerk chooses. */
  conflicted = false;

  /**
   * @param {string} token
   * @param {number} hearingId
   */
  async setup(token, hearingId) {
    this.token = token;
    this.hearingId = hearingId;
    this.status = h('span', { class: 'save-status', id: 'save-status', role: 'status' });
    this.headerFields = h('div', { class: 'grid two record-header-fields' });
    this.paragraphs = h('div', { class: 'paragraphs', id: 'paragraphs' });
    this.signing = h('div', { class: 'signing', id: 'signing' });
    this.history = h('ol', { class: 'history' });
    this.error = h('p', { class: 'error', role: 'alert' });
    this.guard = (/** @type {BeforeUnloadEvent} */ e) => {
      if (!this.dirty) return;
      this.keepDraft();
      e.preventDefault();
    };
    window.addEventListener('beforeunload', this.guard);
    await this.load();
  }

  /** The record as the server has it now. @returns {Promise<RecordView>} */
  fetchView() {
    return api('GET', path(PATHS.record, /** @type {number} */ (this.hearingId)), { token: this.token });
  }

  disconnectedCallback() {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    if (this.guard) window.removeEventListener('beforeunload', this.guard);
    // Leaving within the autosave pause (another page of the app, 退出) still keeps what was typed.
    if (this.dirty) this.save();
  }

  /**
   * Shows the latest version. `keepTyped`: what the clerk typed while it loaded, or before, is not
   * replaced (the clerk is told instead); only 载入最新版本 replaces it.
   */
  async load({ keepTyped = true } = {}) {
    /** @type {RecordView} */
    let view;
    try {
      view = await this.fetchView();
    } catch (e) {
      replace(this, h('p', { class: 'error' }, /** @type {Error} */ (e).message));
      return;
    }
    if (keepTyped && this.dirty && view.may_edit) {
      this.conflict(`笔录已被更新（当前为第${view.latest?.version ?? 0}版），您的修改尚未保存。`);
      return;
    }
    if (!view.may_edit) {
      replace(this, view.latest ? recordDocument(view.latest) : h('p', { class: 'empty' }, '书记员尚未记录笔录'),
        view.signing ? signingStatus(view.signing) : null);
      return;
    }
    const draft = keepTyped ? this.draft() : (this.dropDraft(), null);
    const content = view.latest?.content ?? { header: view.suggested_header, paragraphs: [] };
    this.base = view.latest?.version ?? null;
    this.dirty = false;
    this.conflicted = false;
    this.unanswered = null;
    this.renderHeader(content.header);
    replace(/** @type {HTMLElement} */ (this.paragraphs));
    for (const p of content.paragraphs) this.addParagraph(p.speaker, p.text, false);
    if (!content.paragraphs.length) this.addParagraph('审判长', '', false);
    this.showSaved(view.latest);
    // The save state and the signing status stay in view above the text, however long it gets.
    replace(this,
      h('datalist', { id: 'speakers' }, Object.values(ROLE_LABELS).concat(content.header.present).map((s) => h('option', { value: s }))),
      h('div', { class: 'editor-top' },
        h('div', { class: 'toolbar' },
          this.status,
          h('button', { type: 'button', name: 'save-now', onclick: () => this.save() }, '立即保存')),
        this.error,
        this.signing),
      h('details', { class: 'record-header-editor' }, h('summary', {}, '笔录首部（案号、时间、地点、到庭人员）'), this.headerFields),
      this.paragraphs,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', name: 'add-paragraph', onclick: () => this.addParagraph('', '', true) }, '添加段落'),
        h('span', { class: 'hint' }, 'Ctrl+Enter 添加段落，修改后自动保存')),
      h('details', { class: 'versions' }, h('summary', { onclick: () => this.loadHistory() }, '版本记录'), this.history));
    // Before the first version, the suggested header is what there is: saved once the clerk changes anything.
    this.saved = view.latest ? JSON.stringify(view.latest.content) : JSON.stringify(this.content());
    this.renderSigning(view);
    if (draft) this.restore(draft, view);
  }

  /** @param {import('./document.js').RecordHeader} header */
  renderHeader(header) {
    replace(/** @type {HTMLElement} */ (this.headerFields), HEADER_FIELDS.map(([key, name]) =>
      h('label', {}, name, h('input', { name: `header-${key}`, value: headerText(header, key), oninput: () => this.changed() }))));
  }

  /**
   * @param {string} speaker
   * @param {string} text
   * @param {boolean} focus
   */
  addParagraph(speaker, text, focus) {
    const textarea = h('textarea', {
      name: 'text', rows: 3, placeholder: '发言内容',
      oninput: () => this.changed(),
      onkeydown: (/** @type {KeyboardEvent} */ e) => {
        if (e.key === 'Enter' && e.ctrlKey) {
          e.preventDefault();
          if (!this.locked) this.addParagraph('', '', true);
        }
      },
    });
    textarea.value = text;
    const row = h('div', { class: 'paragraph-row' },
      h('input', { name: 'speaker', list: 'speakers', value: speaker, placeholder: '发言人', oninput: () => this.changed() }),
      textarea,
      h('button', { type: 'button', class: 'link', name: 'remove-paragraph', onclick: () => { row.remove(); this.changed(); } }, '删除'));
    this.paragraphs?.append(row);
    if (focus) /** @type {HTMLInputElement} */ (row.querySelector('input[name=speaker]')).focus();
    return row;
  }

  content() {
    const field = (/** @type {string} */ key) => /** @type {HTMLInputElement} */ (this.querySelector(`input[name=header-${key}]`)).value.trim();
    /** @type {any} */
    const header = {};
    for (const [key] of HEADER_FIELDS) {
      header[key] = LISTS.includes(key) ? field(key).split(/[、,，;；]/).map((s) => s.trim()).filter(Boolean) : field(key);
    }
    const paragraphs = [...this.querySelectorAll('.paragraph-row')]
      .map((row) => ({
        speaker: /** @type {HTMLInputElement} */ (row.querySelector('input[name=speaker]')).value.trim(),
        // A paragraph keeps its indentation (the server trims only its end).
        text: /** @type {HTMLTextAreaElement} */ (row.querySelector('textarea')).value.trimEnd(),
      }))
      .filter((p) => p.text.trim());
    return { header, paragraphs };
  }

  changed() {
    if (!this.dirty) this.dirtySince = Date.now();
    this.dirty = true;
    // Refused until the clerk chooses (see `conflict`): not sent again with every keystroke.
    if (this.conflicted) return;
    if (this.status) this.status.textContent = '有未保存的修改';
    clearTimeout(this.timer);
    // Saved after a pause in typing, and at least every few seconds while it goes on.
    const wait = Math.max(0, Math.min(AUTOSAVE_MS, (this.dirtySince ?? 0) + MAX_UNSAVED_MS - Date.now()));
    this.timer = setTimeout(() => this.save(), wait);
  }

  /**
   * Saves now if anything changed; a save already running is followed by another. Resolves
   * once what was typed before the call is saved, or its save has failed (`dirty` says which).
   */
  save() {
    clearTimeout(this.timer);
    if (this.saving) {
      this.again = true;
      return this.saving;
    }
    this.saving = (async () => {
      try {
        do {
          this.again = false;
          await this.saveOnce();
        } while (this.again);
      } finally {
        this.saving = null;
      }
    })();
    return this.saving;
  }

  async saveOnce() {
    const content = this.content();
    if (JSON.stringify(content) === this.saved) {
      this.dirty = false;
      return;
    }
    // The version shown is being signed: what was typed stays, unsaved, until 修改笔录 (which asks).
    if (this.locked) {
      if (this.status) this.status.textContent = '未保存：笔录正在签名，如需修改请点击“修改笔录”';
      return;
    }
    if (this.conflicted) return;
    this.keepDraft(content);
    if (this.status) this.status.textContent = '正在保存…';
    try {
      const version = await api('PUT', path(PATHS.record, /** @type {number} */ (this.hearingId)), {
        token: this.token, body: { base_version: this.base, content },
      });
      this.unanswered = null;
      this.base = version.version;
      this.saved = JSON.stringify(version.content);
      this.dirty = JSON.stringify(this.content()) !== this.saved;
      if (!this.dirty) this.dropDraft();
      this.showSaved(version);
      if (this.error) this.error.textContent = '';
    } catch (e) {
      const error = /** @type {ApiError} */ (e);
      if (error.status === 409 && (await this.savedUnanswered())) {
        this.again = true;
      } else if (error.status === 409) {
        if (this.status) this.status.textContent = '未保存：笔录已被更新';
        this.conflict(error.message);
      } else if (error.status === 0 || error.status >= 500) {
        // The save may have reached the server and only its answer been lost.
        this.unanswered = JSON.stringify(content);
        if (this.status) this.status.textContent = '保存失败，正在重试…';
        this.timer = setTimeout(() => this.save(), RETRY_MS);
      } else {
        if (this.status) this.status.textContent = '未保存：请按提示修改';
        if (this.error) this.error.textContent = error.message;
      }
    }
  }

  /**
   * A version was saved (a room notice): by someone else, or this clerk in another tab or
   * through 记入笔录. An editor without changes shows it; one with changes is told now (see
   * `load`), rather than at its next save. It may be this editor's own save whose answer was
   * lost (the notice can come after the failure): then the editor goes on from it.
   * @param {number} version
   */
  async savedElsewhere(version) {
    if (this.saving || (this.base !== null && version <= this.base)) return;
    if (await this.savedUnanswered()) {
      this.dirty = JSON.stringify(this.content()) !== this.saved;
      return;
    }
    this.load();
  }

  /**
   * Keeps what is typed in this browser until it is saved.
   * @param {import('../protocol.js').RecordContent} [content]
   */
  keepDraft(content = this.content()) {
    try {
      localStorage.setItem(DRAFT_KEY + this.hearingId, JSON.stringify({ base: this.base, content }));
    } catch {
      // Storage full or refused: the page still holds it.
    }
  }

  dropDraft() {
    try {
      localStorage.removeItem(DRAFT_KEY + this.hearingId);
    } catch {
      // Nothing kept.
    }
  }

  /** @returns {Draft|null} */
  draft() {
    try {
      const draft = JSON.parse(localStorage.getItem(DRAFT_KEY + this.hearingId) ?? 'null');
      return draft && Array.isArray(draft.content?.paragraphs) && draft.content.header ? draft : null;
    } catch {
      return null;
    }
  }

  /**
   * Text typed here that was never saved (the tab was closed or crashed first) comes back, unsaved:
   * saved as usual when nobody saved since it was typed, or else left for the clerk to choose.
   * @param {Draft} draft
   * @param {RecordView} view
   */
  restore(draft, view) {
    if (JSON.stringify(draft.content) === this.saved) return this.dropDraft();
    this.renderHeader(draft.content.header);
    replace(/** @type {HTMLElement} */ (this.paragraphs));
    for (const p of draft.content.paragraphs) this.addParagraph(p.speaker, p.text, false);
    if (!draft.content.paragraphs.length) this.addParagraph('审判长', '', false);
    const latest = view.latest?.version ?? null;
    if (draft.base === latest) {
      this.changed();
      if (this.error) this.error.textContent = '已恢复上次未保存的内容，正在保存。';
      return;
    }
    this.dirty = true;
    this.conflict(`已恢复上次未保存的内容（在第${draft.base ?? 0}版上修改），此后笔录已更新为第${latest ?? 0}版。`);
  }

  /**
   * A save was refused as made from an old version: was the newer version this editor's own save
   * whose answer was lost? Then this editor goes on from it (and resolves true).
   */
  async savedUnanswered() {
    if (this.unanswered === null) return false;
    try {
      /** @type {RecordView} */
      const view = await this.fetchView();
      if (!view.latest || JSON.stringify(view.latest.content) !== this.unanswered) return false;
      this.base = view.latest.version;
      this.saved = this.unanswered;
      this.unanswered = null;
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Someone else saved meanwhile: nothing is overwritten, and nothing more is sent, until the clerk
   * chooses: the latest version (what was typed here is dropped), or what was typed here as a new
   * version after it (the other stays in 版本记录).
   */
  conflict(/** @type {string} */ message) {
    this.conflicted = true;
    clearTimeout(this.timer);
    if (this.status) this.status.textContent = '未保存：笔录已被更新';
    if (!this.error) return;
    replace(this.error, message,
      h('button', {
        type: 'button', class: 'link', name: 'load-latest',
        onclick: () => {
          if (window.confirm('载入最新版本将放弃您未保存的修改，是否继续？')) this.load({ keepTyped: false });
        },
      }, '载入最新版本'),
      h('button', { type: 'button', class: 'link', name: 'keep-mine', onclick: () => this.keepMine() }, '保存我的内容为新版本'));
  }

  /** After a conflict: what was typed here becomes the newest version; the other stays in the history. */
  async keepMine() {
    /** @type {RecordView} */
    let view;
    try {
      view = await this.fetchView();
    } catch (e) {
      if (this.error) this.error.textContent = /** @type {Error} */ (e).message;
      return;
    }
    const latest = view.latest?.version ?? 0;
    if (!window.confirm(`将以您当前的内容保存为新版本；第${latest}版仍保留在版本记录中。是否继续？`)) return;
    this.base = view.latest?.version ?? null;
    this.saved = view.latest ? JSON.stringify(view.latest.content) : '';
    this.conflicted = false;
    if (this.error) this.error.textContent = '';
    await this.save();
  }

  /** @param {import('./document.js').RecordVersion|null|undefined} version */
  showSaved(version) {
    if (!this.status) return;
    this.status.textContent = version ? `已保存（第${version.version}版 ${formatClockTime(version.saved_at_ms)}）` : '尚未保存';
    this.status.dataset.version = version ? String(version.version) : '';
  }

  /**
   * The hearing's state, from a host that follows it live (the room): 发起签名
   * is offered as working only after 休庭 or 闭庭.
   * @param {import('../protocol.js').HearingStatus|null} status
   */
  setStatus(status) {
    if (status === this.hearingStatus) return;
    this.hearingStatus = status;
    if (this.lastView) this.renderSigning(this.lastView);
  }

  /** @param {RecordView} view */
  renderSigning(view) {
    if (!this.signing) return;
    this.lastView = view;
    const round = view.signing;
    const mayStart = this.hearingStatus ? view.may_edit && SIGNING_STATUSES.includes(this.hearingStatus) : view.may_start_signing;
    // The version shown is being signed: editing it would set the signatures aside, so it waits for 修改笔录.
    const signingThis = !!round && !round.superseded_at_ms && round.version === this.base;
    const signedThis = signingThis && allSigned(/** @type {NonNullable<typeof round>} */ (round));
    this.setLocked(signingThis && this.unlockedRound !== round?.id);
    replace(this.signing,
      round ? signingStatus(round) : null,
      h('div', { class: 'actions signing-actions' },
        signedThis
          ? h('span', { class: 'hint', id: 'signed-hint' }, `第${round?.version}版已全部签名`)
          : h('button', { type: 'button', class: 'primary', name: 'start-signing', disabled: !mayStart, onclick: () => this.startSigning() },
            round && !round.superseded_at_ms ? '重新发起签名' : '发起签名'),
        mayStart || signedThis ? null : h('span', { class: 'hint', id: 'signing-hint' }, '休庭或闭庭后才能发起签名'),
        this.locked && round
          ? h('button', { type: 'button', name: 'edit-signed', onclick: () => this.unlock(round) }, '修改笔录')
          : null,
        h('button', { type: 'button', name: 'refresh-signing', onclick: () => this.refreshSigning() }, '刷新签名状态'),
        round ? h('button', { type: 'button', name: 'download-pdf', onclick: () => this.download() }, allSigned(round) ? '下载签名笔录（PDF）' : '下载笔录（签名未完成）') : null));
    clearInterval(this.poll);
    // The console has no room connection: signatures are looked for while some are missing.
    // Before signing, the console also looks for the hearing to reach 休庭 or 闭庭.
    if ((round && !round.superseded_at_ms && !allSigned(round)) || (!this.hearingStatus && !mayStart)) {
      this.poll = setInterval(() => this.refreshSigning(), POLL_MS);
    }
  }

  /** @param {boolean} locked */
  setLocked(locked) {
    this.locked = locked;
    for (const field of this.querySelectorAll('.record-header-fields input, .paragraph-row input, .paragraph-row textarea')) {
      /** @type {HTMLInputElement} */ (field).readOnly = locked;
    }
    for (const button of this.querySelectorAll('button[name=add-paragraph], button[name=remove-paragraph], button[name=save-now]')) {
      /** @type {HTMLButtonElement} */ (button).disabled = locked;
    }
  }

  /**
   * 修改笔录 while the version is being signed: asked first, since the next save sets the round's signatures aside.
   * @param {import('./signing.js').SigningRound} round
   */
  unlock(round) {
    const signed = round.signers.filter((s) => s.signature).length;
    const message = signed
      ? `第${round.version}版已有${signed}人签名。修改后这些签名将作废，需重新发起签名。是否修改？`
      : `第${round.version}版正在签名。修改后需重新发起签名。是否修改？`;
    if (!window.confirm(message)) return;
    this.unlockedRound = round.id;
    if (this.lastView) this.renderSigning(this.lastView);
  }

  async refreshSigning() {
    /** @type {RecordView} */
    let view;
    try {
      view = await this.fetchView();
    } catch {
      // Shown as it was; the next poll or click tries again.
      return;
    }
    this.renderSigning(view);
    // A version saved while this editor could not hear of it (its network was down).
    if (view.latest) this.savedElsewhere(view.latest.version);
  }

  async startSigning() {
    const round = this.lastView?.signing;
    const signed = round && !round.superseded_at_ms ? round.signers.filter((s) => s.signature).length : 0;
    const question = signed
      ? `本轮已有${signed}人签名，重新发起签名后这些签名将作废。是否继续？`
      : '发起签名后，当前版本将被冻结并由当事人签名。是否继续？';
    if (!window.confirm(question)) return;
    // Starting again was the clerk's choice: the version may change on the way (到庭人员 below).
    if (round && this.locked) {
      this.unlockedRound = round.id;
      this.setLocked(false);
    }
    await this.completeHeader();
    await this.save();
    if (this.dirty || this.base === null) {
      if (this.error) this.error.textContent = '请先保存笔录';
      return;
    }
    try {
      await api('POST', path(PATHS.recordSigning, /** @type {number} */ (this.hearingId)), { token: this.token, body: { version: this.base } });
      if (this.error) this.error.textContent = '';
    } catch (e) {
      if (this.error) this.error.textContent = /** @type {Error} */ (e).message;
    }
    await this.refreshSigning();
  }

  /**
   * Before the record is signed, the header is checked against what the hearing knows: whoever was
   * in the room and is not among 到庭人员 (the clerk wrote the header before they came), and when it
   * was held, where the header says otherwise (the booked time, written before 开始), are offered.
   */
  async completeHeader() {
    const present = /** @type {HTMLInputElement|null} */ (this.querySelector('input[name=header-present]'));
    const time = /** @type {HTMLInputElement|null} */ (this.querySelector('input[name=header-time]'));
    if (!present || !time) return;
    let view;
    try {
      view = await this.fetchView();
    } catch {
      return;
    }
    const suggested = view.suggested_header;
    const listed = present.value.split(/[、,，;；]/).map((s) => s.trim()).filter(Boolean);
    const missing = suggested.present.filter((/** @type {string} */ name) => !listed.includes(name));
    if (missing.length && window.confirm(`${missing.join('、')}已进入庭审，但不在笔录的到庭人员中。是否加入到庭人员？`)) {
      present.value = [...listed, ...missing].join('、');
      this.changed();
    }
    const written = time.value.trim();
    if (suggested.time !== written && window.confirm(`本次庭审的时间为 ${suggested.time}，笔录中的时间为“${written}”。是否改为 ${suggested.time}？`)) {
      time.value = suggested.time;
      this.changed();
    }
  }

  async download() {
    try {
      await downloadPdf(/** @type {string} */ (this.token), /** @type {number} */ (this.hearingId));
    } catch (e) {
      if (this.error) this.error.textContent = /** @type {Error} */ (e).message;
    }
  }

  async loadHistory() {
    if (!this.history) return;
    try {
      const versions = await api('GET', path(PATHS.recordHistory, /** @type {number} */ (this.hearingId)), { token: this.token });
      replace(this.history, versionList(versions));
    } catch (e) {
      replace(this.history, h('li', { class: 'error' }, /** @type {Error} */ (e).message));
    }
  }
}

customElements.define('ct-record-editor', RecordEditor);

/**
 * Before the session ends (退出) or the clerk leaves the editor's page: what was typed is saved, or the
 * clerk agrees to lose it. Resolves whether to go on.
 * @returns {Promise<boolean>}
 */
export async function recordKeptBeforeLeaving() {
  const editor = /** @type {RecordEditor|null} */ (document.querySelector('ct-record-editor'));
  if (!editor?.dirty) return true;
  await editor.save();
  if (!editor.dirty) return true;
  return confirmDialog({ title: '笔录有未能保存的修改', message: '退出后这些修改将丢失。是否仍要退出？', confirm: '仍要退出', danger: true });
}
