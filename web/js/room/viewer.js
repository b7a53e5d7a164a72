// The evidence viewer: most of the window, with the video wall kept visible
// as a strip beside it (the room's `viewing` layout). Images zoom (buttons,
// wheel, two fingers) and pan (drag); PDFs page through; ←/→ go to the previous and next
// item, Esc closes. Downloads follow who may have the original: the court and
// the submitting side get it, other sides a photo's copy without metadata;
// the presiding judge may 公开原件.

import { ApiError, blobUrl } from '../api.js';
import { onPhone } from '../device.js';
import { formatSize, formatTime, h, hashView, replace } from '../dom.js';
import { label } from '../labels.js';
import { HEADERS, JUDGE_ROLES, KIND_LABELS, PATHS, PRIVATE_KINDS, SIDE_LABELS, path } from '../protocol.js';
import { Annotator } from './annotation.js';
import { roomOf } from './context.js';
import { mayHaveOriginal } from './evidence.js';

/** @typedef {import('../protocol.js').Evidence} Evidence */

const MIN_ZOOM = 0.25;
const MAX_ZOOM = 8;

/** How a picture is zoomed and moved on this device. */
const zoomHint = () => (onPhone() ? '双指缩放，拖动平移' : '滚轮缩放，拖动平移');

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
  refreshes = 0;

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
    // The items were listed when the viewer opened; what is on screen follows changes to them (撤回).
    this.unnotice = roomOf(this)?.onNotice((notice) => {
      if (notice.kind === 'evidence_changed' && !this.hidden && this.items.some((i) => i.id === notice.evidence_id)) this.refresh();
    });
  }

  disconnectedCallback() {
    if (this.keys) document.removeEventListener('keydown', this.keys);
    this.unnotice?.();
    this.release();
  }

  /** Takes the items as they are now, and shows what changed of the one on screen. */
  async refresh() {
    const room = roomOf(this);
    if (!room) return;
    const refresh = ++this.refreshes;
    /** @type {Evidence[]} */
    let fresh;
    try {
      fresh = await room.api('GET', path(PATHS.evidenceList, room.hearingId));
    } catch {
      return; // Shown as it was; the next change loads again.
    }
    if (this.hidden || refresh !== this.refreshes) return;
    const byId = new Map(fresh.map((i) => [i.id, i]));
    this.items = this.items.map((i) => byId.get(i.id) ?? i);
    const item = this.items[this.index];
    if (!item) return;
    if (this.withdrawnBadge) this.withdrawnBadge.hidden = !item.withdrawn_at_ms;
    if (this.annotator?.item.id === item.id) this.annotator.setItem(item);
  }

  /** @type {Annotator|undefined} */
  annotator;
  /** @type {ResizeObserver|undefined} */
  resizing;

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
    this.annotator?.destroy();
    this.annotator = undefined;
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

  /**
   * A link to the item's original that works without the Authorization header.
   * @param {Evidence} item
   * @returns {Promise<string>}
   */
  async streamUrl(item) {
    const room = roomOf(this);
    if (!room) throw new Error('未进入庭审');
    const link = await room.api('POST', path(PATHS.evidenceStream, item.id));
    return link.url;
  }

  async show() {
    const item = this.items[this.index];
    const room = roomOf(this);
    if (!item || !room) return;
    const load = ++this.loads;
    this.release();
    this.image = undefined;
    this.pdfItem = undefined;
    this.zoom = 1;
    this.x = 0;
    this.y = 0;
    this.page = 1;
    this.pages = null;
    const me = room.state().me;
    this.stage = h('div', { class: 'viewer-stage', id: 'viewer-stage' }, h('p', { class: 'hint' }, '正在加载……'));
    this.tools = h('div', { class: 'viewer-tools' });
    this.withdrawnBadge = h('span', { class: 'status cancelled', id: 'viewer-withdrawn', hidden: !item.withdrawn_at_ms }, '已撤回');
    const answered = item.answers ? this.items.find((i) => i.id === item.answers) : undefined;
    replace(this,
      h('div', { class: 'viewer-head' },
        h('div', { class: 'viewer-title' },
          item.counter ? h('span', { class: 'badge counter', title: '反证' }, '反') : null,
          h('strong', { id: 'viewer-title' }, item.title),
          this.withdrawnBadge,
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
        // The player reads the original as it plays, in ranges, through a link for this session.
        const url = await this.streamUrl(item);
        if (load !== this.loads) return;
        replace(this.stage, h(item.kind, { src: url, controls: true, preload: 'metadata', class: 'viewer-media', id: 'viewer-media' }));
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
            // An original (a video may be large) is saved by the browser as it arrives, never held in the page.
            const url = variant === 'original' ? await this.streamUrl(item) : await this.blob(path(PATHS.evidenceCopy, item.id));
            const a = h('a', { href: url, download: name, hidden: true });
            document.body.append(a);
            a.click();
            a.remove();
          } catch (e) {
            window.alert(/** @type {Error} */ (e).message);
          }
        },
      }, text));
    // The original is saved under the name the server gives it (one that says what the file is).
    if (mayHaveOriginal(item, me)) add('original', '下载原件', '');
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
    const image = /** @type {HTMLImageElement} */ (h('img', { src: url, alt: item.title, class: 'evidence-image', id: 'viewer-image', draggable: 'false' }));
    this.showPicture(item, image, 1);
    this.renderZoomTools();
  }

  /**
   * Puts a picture (an image, or a PDF page) on the stage with the 圈注 layer
   * over it; zoom and pan move both.
   * @param {Evidence} item
   * @param {HTMLImageElement} image
   * @param {number} page
   */
  showPicture(item, image, page) {
    const room = roomOf(this);
    if (!this.stage || !this.tools || !room) return;
    this.annotator?.destroy();
    const frame = h('div', { class: 'mark-frame', id: 'mark-frame' }, image);
    this.image = frame;
    const stage = this.stage;
    replace(stage, frame);
    // The picture fills the stage at zoom 1; the layer over it takes its size.
    const fit = () => {
      const box = stage.getBoundingClientRect();
      if (!image.naturalWidth || !box.width || !box.height) return;
      const scale = Math.min(box.width / image.naturalWidth, box.height / image.naturalHeight);
      image.style.width = `${Math.floor(image.naturalWidth * scale)}px`;
      image.style.height = `${Math.floor(image.naturalHeight * scale)}px`;
    };
    if (image.complete) fit();
    else image.addEventListener('load', fit, { once: true });
    this.resizing?.disconnect();
    this.resizing = new ResizeObserver(fit);
    this.resizing.observe(stage);
    // The item as it is now: it may have changed while the picture loaded.
    const current = this.items.find((i) => i.id === item.id) ?? item;
    this.annotator = new Annotator(room, current, page, frame, image, /** @type {HTMLElement} */ (this.querySelector('.viewer-info')));
    stage.classList.add('zoomable');
    stage.onwheel = (e) => {
      e.preventDefault();
      this.setZoom(this.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15));
    };
    // One pointer drags; two (fingers) pinch: the zoom follows their distance, the picture their midpoint.
    /** @type {Map<number, {x: number, y: number}>} */
    const pointers = new Map();
    /** @type {{x: number, y: number, distance: number, zoom: number, ox: number, oy: number}|null} */
    let gesture = null;
    const begin = () => {
      const [a, b = a] = [...pointers.values()];
      gesture = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, distance: Math.hypot(a.x - b.x, a.y - b.y), zoom: this.zoom, ox: this.x, oy: this.y };
    };
    stage.onpointerdown = (e) => {
      e.preventDefault();
      stage.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      begin();
    };
    stage.onpointermove = (e) => {
      if (!gesture || !pointers.has(e.pointerId)) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const [a, b = a] = [...pointers.values()];
      if (pointers.size > 1 && gesture.distance > 0) {
        this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, gesture.zoom * Math.hypot(a.x - b.x, a.y - b.y) / gesture.distance));
      }
      this.x = gesture.ox + (a.x + b.x) / 2 - gesture.x;
      this.y = gesture.oy + (a.y + b.y) / 2 - gesture.y;
      this.place();
    };
    stage.onpointerup = stage.onpointercancel = (e) => {
      pointers.delete(e.pointerId);
      if (pointers.size) begin();
      else gesture = null;
    };
    this.place();
  }

  renderZoomTools() {
    if (!this.tools) return;
    this.zoomLabel = h('span', { class: 'zoom-level', id: 'zoom-level' }, '100%');
    replace(this.tools,
      h('div', { class: 'inline' },
        h('button', { type: 'button', name: 'zoom-out', title: '缩小（-）', onclick: () => this.setZoom(this.zoom / 1.25) }, '－'),
        this.zoomLabel,
        h('button', { type: 'button', name: 'zoom-in', title: '放大（+）', onclick: () => this.setZoom(this.zoom * 1.25) }, '＋'),
        h('button', { type: 'button', name: 'zoom-fit', onclick: () => { this.x = 0; this.y = 0; this.setZoom(1); } }, '适应窗口')),
      h('p', { class: 'hint' }, zoomHint()));
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
   * A PDF, page by page, as the server renders each page: every browser (a
   * phone's too) shows it the same way, and 圈注 goes over the page.
   * @param {Evidence} item
   * @param {number} load
   */
  async showPdf(item, load) {
    this.pdfItem = item;
    this.pageLabel = h('span', { class: 'page-number', id: 'page-number' });
    if (this.tools) {
      replace(this.tools,
        h('div', { class: 'inline' },
          h('button', { type: 'button', name: 'previous-page', title: '上一页（PageUp）', onclick: () => this.turn(-1) }, '上一页'),
          this.pageLabel,
          h('button', { type: 'button', name: 'next-page', title: '下一页（PageDown）', onclick: () => this.turn(1) }, '下一页')),
        h('p', { class: 'hint' }, zoomHint()));
    }
    await this.showPage(item, load);
  }

  /**
   * @param {Evidence} item
   * @param {number} load
   */
  async showPage(item, load) {
    const room = roomOf(this);
    const response = await fetch(path(PATHS.evidencePage, item.id, this.page), { headers: { authorization: `Bearer ${room?.token ?? ''}` } });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new ApiError(response.status, body?.code ?? 'fetch', body?.message ?? '文件加载失败');
    }
    const pages = Number(response.headers.get(HEADERS.evidencePages));
    const bytes = await response.blob();
    if (load !== this.loads) return;
    this.pages = pages > 0 ? pages : null;
    const url = URL.createObjectURL(bytes);
    this.urls.push(url);
    const image = /** @type {HTMLImageElement} */ (h('img', { src: url, alt: `${item.title} 第${this.page}页`, class: 'evidence-image', id: 'viewer-page', draggable: 'false' }));
    this.zoom = 1;
    this.x = 0;
    this.y = 0;
    this.showPicture(item, image, this.page);
    if (this.pageLabel) this.pageLabel.textContent = this.pages ? `第 ${this.page} / ${this.pages} 页` : `第 ${this.page} 页`;
  }

  /** @param {number} delta */
  turn(delta) {
    if (!this.pdfItem) return;
    const last = this.pages ?? Infinity;
    const page = Math.min(last, Math.max(1, this.page + delta));
    if (page === this.page) return;
    this.page = page;
    const item = this.pdfItem;
    this.showPage(item, this.loads).catch((e) => {
      if (this.stage) replace(this.stage, h('p', { class: 'error' }, e.message));
    });
  }
}

customElements.define('ct-evidence-viewer', EvidenceViewer);
