// The evidence viewer: most of the window, with the video wall kept visible
// as a strip beside it (the room's `viewing` layout). Images zoom (buttons,
// wheel) and pan (drag); PDFs page through; ←/→ go to the previous and next
// item, Esc closes. Downloads follow who may have the original: the court and
// the submitting side get it, other sides a photo's copy without metadata;
// the presiding judge may 公开原件.

import { ApiError, blobUrl } from '../api.js';
import { formatSize, formatTime, h, hashView, replace } from '../dom.js';
import { label } from '../labels.js';
import { JUDGE_ROLES, KIND_LABELS, PATHS, PRIVATE_KINDS, SIDE_LABELS, path } from '../protocol.js';
import { roomOf } from './context.js';
import { mayHaveOriginal } from './evidence.js';

/** @typedef {import('../protocol.js').Evidence} Evidence */

const MIN_ZOOM = 0.25;
const MAX_ZOOM = 8;

/** The number of pages of a PDF, counted from its page objects (null when they are compressed away). */
function pdfPageCount(/** @type {ArrayBuffer} */ bytes) {
  const text = new TextDecoder('latin1').decode(bytes);
  const pages = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return pages || null;
}

export class EvidenceViewer extends HTMLElement {
  /** @type {Evidence[]} */
  items = [];
  index = 0;
  zoom = 1;
  x = 0;
  y = 0;
  page = 1;
  /** @type {number|null} */
  pages = null;
  /** @type {string[]} blob: URLs to give back */
  urls = [];
  loads = 0;

  connectedCallback() {
    this.keys = (/** @type {KeyboardEvent} */ e) => {
      if (this.hidden || e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.key === 'Escape') this.close();
      else if (e.key === 'ArrowLeft') this.step(-1);
      else if (e.key === 'ArrowRight') this.step(1);
      else if (e.key === 'PageDown') this.turn(1);
      else if (e.key === 'PageUp') this.turn(-1);
      else if (e.key === '+' || e.key === '=') this.setZoom(this.zoom * 1.25);
      else if (e.key === '-') this.setZoom(this.zoom / 1.25);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', this.keys);
  }

  disconnectedCallback() {
    if (this.keys) document.removeEventListener('keydown', this.keys);
    this.release();
  }

  /**
   * @param {Evidence[]} items
   * @param {string} id
   */
  open(items, id) {
    this.items = items;
    this.index = Math.max(0, items.findIndex((i) => i.id === id));
    this.hidden = false;
    this.show();
  }

  close() {
    if (this.hidden) return;
    this.hidden = true;
    this.loads += 1;
    this.release();
    replace(this);
    roomOf(this)?.evidenceClosed();
  }

  release() {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
  }

  /** @param {number} delta */
  step(delta) {
    if (!this.items.length) return;
    this.index = (this.index + delta + this.items.length) % this.items.length;
    this.show();
  }

  /** @param {string} path */
  async blob(path) {
    const room = roomOf(this);
    const url = await blobUrl(path, room?.token ?? '');
    this.urls.push(url);
    return url;
  }

  async show() {
    const item = this.items[this.index];
    const room = roomOf(this);
    if (!item || !room) return;
    const load = ++this.loads;
    this.release();
    this.frame = undefined;
    this.image = undefined;
    this.pdfUrl = undefined;
    this.zoom = 1;
    this.x = 0;
    this.y = 0;
    this.page = 1;
    this.pages = null;
    const me = room.state().me;
    this.stage = h('div', { class: 'viewer-stage', id: 'viewer-stage' }, h('p', { class: 'hint' }, '正在加载……'));
    this.tools = h('div', { class: 'viewer-tools' });
    const answered = item.answers ? this.items.find((i) => i.id === item.answers) : undefined;
    replace(this,
      h('div', { class: 'viewer-head' },
        h('div', { class: 'viewer-title' },
          item.counter ? h('span', { class: 'badge counter', title: '反证' }, '反') : null,
          h('strong', { id: 'viewer-title' }, item.title),
          h('span', { class: 'meta' }, `${SIDE_LABELS[item.side]}证据　${KIND_LABELS[item.kind]}　${this.index + 1} / ${this.items.length}`)),
        h('div', { class: 'viewer-nav' },
          h('button', { type: 'button', name: 'previous-evidence', title: '上一项（←）', onclick: () => this.step(-1) }, '上一项'),
          h('button', { type: 'button', name: 'next-evidence', title: '下一项（→）', onclick: () => this.step(1) }, '下一项'),
          h('button', { type: 'button', name: 'close-viewer', class: 'primary', title: '关闭（Esc）', onclick: () => this.close() }, '关闭'))),
      h('div', { class: 'viewer-body' },
        this.stage,
        h('aside', { class: 'viewer-info' },
          this.tools,
          answered
            ? h('p', { class: 'answers' }, '针对：', h('button', { type: 'button', class: 'link', name: 'viewer-answered', onclick: () => this.goTo(answered.id) }, `${SIDE_LABELS[answered.side]}证据「${answered.title}」`))
            : null,
          h('p', {}, `证明目的：${item.purpose}`),
          item.description ? h('p', {}, item.description) : null,
          h('p', { class: 'meta' }, `${label(item.submitter)}　${formatTime(item.submitted_at_ms)}　${formatSize(item.size)}`),
          item.captured_at ? h('p', { class: 'meta' }, `拍摄时间：${item.captured_at}`) : null,
          h('p', { class: 'meta' }, hashView(item.sha256, '原件 SHA-256')),
          this.downloads(item, me))));
    try {
      if (item.has_preview) await this.showImage(item, load);
      else if (!mayHaveOriginal(item, me)) {
        replace(this.stage, h('p', { class: 'hint' }, '该证据原件可能含有拍摄位置等个人信息，仅限提交方和法庭查看；如需原件，请向法官申请公开。'));
      } else if (item.kind === 'pdf') await this.showPdf(item, load);
      else if (item.kind === 'audio' || item.kind === 'video') {
        const url = await this.blob(path(PATHS.evidenceOriginal, item.id));
        if (load !== this.loads) return;
        replace(this.stage, h(item.kind, { src: url, controls: true, class: 'viewer-media' }));
      } else {
        replace(this.stage, h('p', { class: 'hint' }, '该类文件不能在页面中显示，请下载后查看。'));
      }
    } catch (e) {
      if (load === this.loads) replace(this.stage, h('p', { class: 'error' }, e instanceof ApiError || e instanceof Error ? e.message : '加载失败'));
    }
  }

  /** @param {string} id */
  goTo(id) {
    const index = this.items.findIndex((i) => i.id === id);
    if (index < 0) return;
    this.index = index;
    this.show();
  }

  /**
   * The links this participant may use.
   * @param {Evidence} item
   * @param {{role: string}|null} me
   */
  downloads(item, me) {
    const links = h('div', { class: 'actions column viewer-downloads' });
    const add = (/** @type {string} */ variant, /** @type {string} */ text, /** @type {string} */ name) =>
      links.append(h('button', {
        type: 'button', name: `download-${variant}`,
        onclick: async () => {
          try {
            const url = await this.blob(path(variant === 'original' ? PATHS.evidenceOriginal : PATHS.evidenceCopy, item.id));
            const a = h('a', { href: url, download: name, hidden: true });
            document.body.append(a);
            a.click();
            a.remove();
          } catch (e) {
            window.alert(/** @type {Error} */ (e).message);
          }
        },
      }, text));
    if (mayHaveOriginal(item, me)) add('original', '下载原件', item.file_name);
    else if (item.has_preview) add('copy', '下载原图（已去除拍摄位置等信息）', `${item.title}.jpg`);
    if (me && JUDGE_ROLES.includes(/** @type {any} */ (me.role)) && PRIVATE_KINDS.includes(item.kind) && !item.original_released) {
      links.append(h('button', {
        type: 'button', class: 'link', name: 'release-original',
        onclick: async () => {
          if (!window.confirm('公开后，各方当事人均可下载该证据原件（可能含有拍摄位置等信息）。确定公开？')) return;
          await roomOf(this)?.api('POST', path(PATHS.evidenceRelease, item.id)).catch((e) => window.alert(e.message));
        },
      }, '公开原件'));
    }
    if (item.original_released) links.append(h('span', { class: 'meta' }, '原件已公开'));
    return links;
  }

  /**
   * @param {Evidence} item
   * @param {number} load
   */
  async showImage(item, load) {
    const url = await this.blob(path(PATHS.evidencePreview, item.id));
    if (load !== this.loads || !this.stage || !this.tools) return;
    const image = h('img', { src: url, alt: item.title, class: 'evidence-image', id: 'viewer-image', draggable: 'false' });
    this.image = image;
    const stage = this.stage;
    replace(stage, image);
    stage.classList.add('zoomable');
    stage.onwheel = (e) => {
      e.preventDefault();
      this.setZoom(this.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15));
    };
    /** @type {{x: number, y: number, ox: number, oy: number}|null} */
    let drag = null;
    stage.onpointerdown = (e) => {
      e.preventDefault();
      stage.setPointerCapture(e.pointerId);
      drag = { x: e.clientX, y: e.clientY, ox: this.x, oy: this.y };
    };
    stage.onpointermove = (e) => {
      if (!drag) return;
      this.x = drag.ox + e.clientX - drag.x;
      this.y = drag.oy + e.clientY - drag.y;
      this.place();
    };
    stage.onpointerup = () => (drag = null);
    this.zoomLabel = h('span', { class: 'zoom-level', id: 'zoom-level' }, '100%');
    replace(this.tools,
      h('div', { class: 'inline' },
        h('button', { type: 'button', name: 'zoom-out', title: '缩小（-）', onclick: () => this.setZoom(this.zoom / 1.25) }, '－'),
        this.zoomLabel,
        h('button', { type: 'button', name: 'zoom-in', title: '放大（+）', onclick: () => this.setZoom(this.zoom * 1.25) }, '＋'),
        h('button', { type: 'button', name: 'zoom-fit', onclick: () => { this.x = 0; this.y = 0; this.setZoom(1); } }, '适应窗口')),
      h('p', { class: 'hint' }, '滚轮缩放，拖动平移'));
    this.place();
  }

  /** @param {number} zoom */
  setZoom(zoom) {
    if (!this.image) return;
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    this.place();
  }

  place() {
    if (!this.image) return;
    this.image.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.zoom})`;
    if (this.zoomLabel) this.zoomLabel.textContent = `${Math.round(this.zoom * 100)}%`;
  }

  /**
   * @param {Evidence} item
   * @param {number} load
   */
  async showPdf(item, load) {
    this.image = undefined;
    const room = roomOf(this);
    const response = await fetch(path(PATHS.evidenceOriginal, item.id), { headers: { authorization: `Bearer ${room?.token ?? ''}` } });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new ApiError(response.status, body?.code ?? 'fetch', body?.message ?? '文件加载失败');
    }
    const bytes = await response.arrayBuffer();
    if (load !== this.loads || !this.stage || !this.tools) return;
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
    this.urls.push(url);
    this.pdfUrl = url;
    this.pages = pdfPageCount(bytes);
    this.pdfTitle = item.title;
    if (!navigator.pdfViewerEnabled) {
      // Phones' browsers show no PDF inside a page: open it whole, or download it.
      this.frame = undefined;
      replace(this.stage, h('div', { class: 'hint pdf-elsewhere' },
        h('p', {}, `本浏览器不能在页面中显示PDF文档${this.pages ? `（共${this.pages}页）` : ''}。`),
        h('a', { class: 'button primary', href: url, target: '_blank', rel: 'noopener', name: 'open-pdf' }, '打开PDF文档')));
      replace(this.tools);
      return;
    }
    this.frame = h('iframe', { class: 'evidence-pdf', id: 'viewer-pdf', title: item.title });
    replace(this.stage, this.frame);
    this.pageLabel = h('span', { class: 'page-number', id: 'page-number' });
    replace(this.tools,
      h('div', { class: 'inline' },
        h('button', { type: 'button', name: 'previous-page', title: '上一页（PageUp）', onclick: () => this.turn(-1) }, '上一页'),
        this.pageLabel,
        h('button', { type: 'button', name: 'next-page', title: '下一页（PageDown）', onclick: () => this.turn(1) }, '下一页')));
    this.showPage();
  }

  /** @param {number} delta */
  turn(delta) {
    if (!this.frame) return;
    const last = this.pages ?? Infinity;
    this.page = Math.min(last, Math.max(1, this.page + delta));
    this.showPage();
  }

  showPage() {
    if (!this.frame || !this.pdfUrl || !this.stage) return;
    // The browser's PDF viewer opens at the page its URL names; a changed
    // fragment alone does not move it, so each page gets a fresh frame.
    const frame = h('iframe', { class: 'evidence-pdf', id: 'viewer-pdf', title: this.pdfTitle ?? '', src: `${this.pdfUrl}#page=${this.page}&view=FitH` });
    this.frame.replaceWith(frame);
    this.frame = frame;
    if (this.pageLabel) this.pageLabel.textContent = this.pages ? `第 ${this.page} / ${this.pages} 页` : `第 ${this.page} 页`;
  }
}

customElements.define('ct-evidence-viewer', EvidenceViewer);
