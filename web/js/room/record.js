// 庭审笔录 in the hearing room. Parties read the record: 刷新 fetches the
// latest version, 笔录自动刷新 follows every save; when the clerk starts
// signing, a QR code pops up to sign on a phone, and the page sees the
// signature arrive; 查看签名 shows one's own signature; 版本记录 lists every
// saved version, and any of them opens as it was saved. Court staff in the
// room get the editor. It subscribes to the room: whenever access returns
// (first connection, reconnection, summons) it loads again.

import { ApiError, blobUrl } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { BLOCKED_MESSAGE, CHANNEL_LABELS, PATHS, path } from '../protocol.js';
import { recordDocument, versionList } from '../record/document.js';
import '../record/editor.js';
import { allSigned, downloadPdf, signingStatus } from '../record/signing.js';
import { roomOf } from './context.js';

/** @typedef {import('../record/signing.js').RecordView} RecordView */

export class RecordPanel extends HTMLElement {
  autoRefresh = false;
  /** @type {number|null} the signing round whose QR code already popped up */
  prompted = null;
  /** @type {RecordView|null} */
  view = null;
  /** @type {HTMLDetailsElement|undefined} 版本记录 */
  history;

  epoch = -1;
  loads = 0;

  connectedCallback() {
    const room = roomOf(this);
    if (!room) return;
    this.room = room;
    this.token = room.token;
    this.hearingId = room.hearingId;
    if (!this.content) {
      this.content = h('div', { class: 'record-panel' });
      replace(this, this.content);
    }
    this.unsubscribe = room.subscribe((state) => {
      this.editor?.setStatus(state.status);
      if (!state.blocked && state.view && state.epoch !== this.epoch) {
        const again = this.epoch >= 0;
        this.epoch = state.epoch;
        // Back after a drop or a block: what was missed, then the record as it is now.
        if (again && this.editor) this.editor.refreshSigning();
        else this.refresh();
      }
    });
    this.unnotice = room.onNotice((notice) => this.onNotice(notice));
  }

  disconnectedCallback() {
    this.unsubscribe?.();
    this.unnotice?.();
    clearTimeout(this.expiryTimer);
    this.dialog?.close();
  }

  /** 刷新: the latest version and the signing state. */
  async refresh() {
    const view = await this.fetchView();
    if (!view) return;
    if (view.may_edit) return this.showEditor();
    this.view = view;
    this.render(true);
  }

  async fetchView() {
    const load = ++this.loads;
    try {
      const view = /** @type {RecordView} */ (await this.api('GET', path(PATHS.record, this.hearingId ?? 0)));
      return load === this.loads ? view : null;
    } catch (e) {
      if (load !== this.loads) return null;
      // Refused while blocked: said here; the summons loads the record again.
      const message = e instanceof ApiError && e.code === 'blocked' ? BLOCKED_MESSAGE : /** @type {Error} */ (e).message;
      if (this.state) this.state.textContent = message;
      else if (this.content) replace(this.content, h('p', { class: 'record-state meta', id: 'record-state', role: 'status' }, message));
      return null;
    }
  }

  /** @type {(method: string, path: string, options?: any) => Promise<any>} */
  api = (method, apiPath, options) => {
    if (!this.room) return Promise.reject(new Error('未进入庭审'));
    return this.room.api(method, apiPath, options);
  };

  showEditor() {
    if (this.editor) return;
    this.editor = /** @type {import('../record/editor.js').RecordEditor} */ (h('ct-record-editor', {}));
    replace(this, this.editor);
    this.editor.setup(/** @type {string} */ (this.token), /** @type {number} */ (this.hearingId));
    this.editor.setStatus(this.room?.state().status ?? null);
  }

  /**
   * A room notice about the record.
   * @param {{kind: string, version?: number}} notice
   */
  async onNotice(notice) {
    if (this.editor) {
      if (notice.kind === 'signing_changed') this.editor.refreshSigning();
      if (notice.kind === 'record_saved' && notice.version) this.editor.savedElsewhere(notice.version);
      return;
    }
    if (notice.kind === 'record_saved') {
      if (this.autoRefresh) return this.refresh();
      if (this.state && notice.version && notice.version > (this.view?.latest?.version ?? 0)) {
        this.state.textContent = `笔录已更新（第${notice.version}版），点击“刷新”查看`;
        this.state.classList.add('stale');
      }
    } else if (notice.kind === 'signing_changed') {
      await this.signingChanged();
    }
  }

  /**
   * Signing started, a signature arrived, or the record changed under it. The
   * text shown changes only with 刷新 or auto-refresh, except that a party asked
   * to sign is shown the version to sign.
   */
  async signingChanged() {
    const view = await this.fetchView();
    if (!view) return;
    const shown = this.view?.latest;
    const mustSignAnother = view.must_sign && view.latest && view.latest.version !== shown?.version;
    this.view = this.autoRefresh || mustSignAnother || !shown ? view : { ...view, latest: shown };
    this.render(this.autoRefresh || !!mustSignAnother);
  }

  /** @param {boolean} fresh whether the text shown is the latest */
  render(fresh) {
    const view = this.view;
    if (!view) return;
    this.state = h('p', { class: 'record-state meta', id: 'record-state', role: 'status' },
      view.latest ? `第${view.latest.version}版　${formatTime(view.latest.saved_at_ms)} 保存` : '书记员尚未记录笔录');
    const auto = h('input', {
      type: 'checkbox', name: 'auto-refresh', checked: this.autoRefresh,
      onchange: () => {
        this.autoRefresh = auto.checked;
        if (this.autoRefresh) this.refresh();
      },
    });
    const round = view.signing;
    replace(/** @type {HTMLElement} */ (this.content),
      h('div', { class: 'toolbar record-toolbar' },
        h('button', { type: 'button', name: 'refresh-record', onclick: () => this.refresh() }, '刷新'),
        h('label', { class: 'check' }, auto, '笔录自动刷新'),
        view.must_sign ? h('button', { type: 'button', class: 'primary', name: 'sign', onclick: () => this.sign() }, '签名') : null,
        view.my_signature ? h('button', { type: 'button', name: 'my-signature', onclick: () => this.showSignature() }, '查看签名') : null,
        round && !round.superseded_at_ms
          ? h('button', { type: 'button', name: 'download-pdf', onclick: () => this.download() }, allSigned(round) ? '下载签名笔录' : '下载笔录（签名未完成）')
          : null),
      this.state,
      round ? signingStatus(round) : null,
      view.latest ? recordDocument(view.latest) : null,
      view.latest ? this.versions() : null);
    if (fresh) this.state.classList.remove('stale');
    if (view.must_sign && round && this.prompted !== round.id) {
      // 书记员发起签名后，弹出二维码进行扫码签名.
      this.prompted = round.id;
      this.sign();
    }
    if (this.qr && round && this.qr.round === round.id) this.qrSigned(view);
  }

  /** 版本记录: every saved version, loaded when opened. */
  versions() {
    if (this.history) {
      // Kept open across saves, and brought up to date.
      if (this.history.open) this.loadVersions();
      return this.history;
    }
    this.history = h('details', { class: 'versions', ontoggle: () => this.history?.open && this.loadVersions() },
      h('summary', {}, '版本记录'), h('ol', { class: 'history', id: 'record-history' }));
    return this.history;
  }

  async loadVersions() {
    const list = this.history?.querySelector('ol');
    if (!list) return;
    try {
      const versions = await this.api('GET', path(PATHS.recordHistory, this.hearingId ?? 0));
      replace(list, versionList(versions, (version) => this.showVersion(version)));
    } catch (e) {
      replace(list, h('li', { class: 'error' }, /** @type {Error} */ (e).message));
    }
  }

  /** One earlier version, as it was saved. @param {number} version */
  async showVersion(version) {
    const dialog = this.openDialog(`第${version}版`);
    dialog.classList.add('wide');
    try {
      dialog.append(recordDocument(await this.api('GET', path(PATHS.recordVersion, this.hearingId ?? 0, version))));
    } catch (e) {
      dialog.append(h('p', { class: 'error' }, /** @type {Error} */ (e).message));
    }
  }

  /** The QR code for signing on a phone, in a dialog that waits for the signature. */
  async sign() {
    const round = this.view?.signing;
    if (!round) return;
    const dialog = this.openDialog('扫码签名');
    const body = h('div', { class: 'qr-body' }, h('p', { class: 'hint' }, '正在生成二维码…'));
    dialog.append(body);
    let qr;
    try {
      qr = await this.api('POST', path(PATHS.recordQr, this.hearingId ?? 0));
    } catch (e) {
      replace(body, h('p', { class: 'error' }, /** @type {Error} */ (e).message));
      return;
    }
    const image = URL.createObjectURL(new Blob([qr.svg], { type: 'image/svg+xml' }));
    this.qr = { round: round.id, body, image };
    dialog.dataset.url = qr.url;
    const expiry = h('p', { class: 'hint qr-expiry' }, `请在 ${formatTime(qr.expires_at_ms)} 前扫码；扫码后阅读期间二维码持续有效，仅可签名一次`);
    replace(body,
      h('img', { class: 'qr-code', src: image, alt: '签名二维码', width: 240, height: 240 }),
      h('p', { class: 'qr-how' }, '请使用手机微信或相机扫码，在手机上阅读笔录并签名'),
      expiry,
      h('div', { class: 'actions' },
        h('button', { type: 'button', name: 'new-qr', onclick: () => this.sign() }, '重新获取二维码'),
        h('a', { class: 'button', href: qr.url, target: '_blank', rel: 'noopener noreferrer' }, '在本设备上签名')));
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => {
      expiry.textContent = '尚未扫描的二维码已失效，请重新获取二维码；已在手机上打开的签名页可继续签名';
      expiry.classList.add('error');
    }, Math.max(0, qr.expires_at_ms - Date.now()));
  }

  /** The signature arrived: the PC shows it. */
  async qrSigned(/** @type {RecordView} */ view) {
    const qr = this.qr;
    const mine = view.my_signature;
    if (!qr || !mine || mine.round_id !== qr.round) return;
    this.qr = undefined;
    clearTimeout(this.expiryTimer);
    URL.revokeObjectURL(qr.image);
    replace(qr.body, h('p', { class: 'notice', id: 'signature-received' }, `已收到您的签名（${formatTime(mine.signed_at_ms)}）`));
    try {
      qr.body.append(h('img', { class: 'signature-image', alt: '我的签名', src: await blobUrl(this.signatureImage(mine.id), /** @type {string} */ (this.token)) }));
    } catch {
      // The confirmation stands without the picture.
    }
  }

  /** @param {number} id */
  signatureImage(id) {
    return path(PATHS.recordSignatureImage, /** @type {number} */ (this.hearingId), id);
  }

  /** 查看签名 */
  async showSignature() {
    const mine = this.view?.my_signature;
    if (!mine) return;
    const dialog = this.openDialog('我的签名');
    try {
      const src = await blobUrl(this.signatureImage(mine.id), /** @type {string} */ (this.token));
      dialog.append(
        h('img', { class: 'signature-image', id: 'my-signature-image', alt: '我的签名', src }),
        h('p', { class: 'meta' }, `第${mine.version}版　${formatTime(mine.signed_at_ms)}　${CHANNEL_LABELS[mine.via]}`));
    } catch (e) {
      dialog.append(h('p', { class: 'error' }, /** @type {Error} */ (e).message));
    }
  }

  /** @param {string} title */
  openDialog(title) {
    this.dialog?.close();
    this.dialog?.remove();
    this.qr = undefined;
    const dialog = h('dialog', { class: 'record-dialog', id: 'record-dialog' },
      h('div', { class: 'page-head' }, h('h3', {}, title),
        h('button', { type: 'button', class: 'link', name: 'close-dialog', onclick: () => dialog.close() }, '关闭')));
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (this.dialog === dialog) this.dialog = undefined;
    });
    this.dialog = dialog;
    // In the body, so that it pops up whichever tab of the room is showing.
    document.body.append(dialog);
    dialog.showModal();
    return dialog;
  }

  async download() {
    try {
      await downloadPdf(/** @type {string} */ (this.token), /** @type {number} */ (this.hearingId));
    } catch (e) {
      if (this.state) this.state.textContent = /** @type {Error} */ (e).message;
    }
  }
}

customElements.define('ct-record-panel', RecordPanel);
