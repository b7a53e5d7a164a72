// 圈注 over the evidence being viewed: a layer of marks over the image or PDF
// page (in fractions of its width and height, so it follows zoom and pan),
// the marks others are drawing as they draw them, and the tools: 申请圈注,
// then 画笔 / 矩形 / 椭圆 / 箭头 / 文字 in four colours, 撤销, and for the
// presiding judge 清除 on any mark. The server decides every mark.

import { blobUrl } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { label } from '../labels.js';
import { COURT_ROLES, EVIDENCE_ROLES, JUDGE_ROLES, MARK_COLOURS, MARK_COLOUR_LABELS, MARK_LIMITS, OVER_STATUSES, PATHS, path } from '../protocol.js';

/**
 * @typedef {import('../protocol.js').Mark} Mark
 * @typedef {import('../protocol.js').MarkDraft} MarkDraft
 * @typedef {import('../protocol.js').Shape} Shape
 * @typedef {import('../protocol.js').Point} Point
 * @typedef {import('../protocol.js').MarkColour} MarkColour
 * @typedef {import('../protocol.js').ShapeKind} ShapeKind
 */

const SVG = 'http://www.w3.org/2000/svg';
const PREVIEW_INTERVAL_MS = 80;
/** @type {Array<[ShapeKind, string]>} */
const TOOLS = [['ink', '画笔'], ['rectangle', '矩形'], ['ellipse', '椭圆'], ['arrow', '箭头'], ['text', '文字']];
const SHAPE_LABELS = Object.fromEntries(TOOLS);

/**
 * @param {string} tag
 * @param {Record<string, string|number>} [attributes]
 * @returns {SVGElement}
 */
function svg(tag, attributes = {}) {
  const element = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** @param {number} v */
const round = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;

/**
 * Draws one shape into `group`, in a `width`×`height` picture.
 * @param {SVGElement} group
 * @param {Shape} shape
 * @param {string} colour
 * @param {number} width
 * @param {number} height
 */
function drawShape(group, shape, colour, width, height) {
  const X = (/** @type {Point} */ p) => p.x * width;
  const Y = (/** @type {Point} */ p) => p.y * height;
  const stroke = { stroke: colour, fill: 'none', 'stroke-width': 3, 'vector-effect': 'non-scaling-stroke', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' };
  const { kind, points, from, to, at, text } = shape;
  if (kind === 'ink' && points) {
    group.append(svg('polyline', { ...stroke, points: points.map((p) => `${X(p)},${Y(p)}`).join(' ') }));
  } else if ((kind === 'rectangle' || kind === 'ellipse') && from && to) {
    const [x, y, w, ht] = [Math.min(X(from), X(to)), Math.min(Y(from), Y(to)), Math.abs(X(to) - X(from)), Math.abs(Y(to) - Y(from))];
    group.append(kind === 'rectangle'
      ? svg('rect', { ...stroke, x, y, width: w, height: ht })
      : svg('ellipse', { ...stroke, cx: x + w / 2, cy: y + ht / 2, rx: w / 2, ry: ht / 2 }));
  } else if (kind === 'arrow' && from && to) {
    const [x1, y1, x2, y2] = [X(from), Y(from), X(to), Y(to)];
    const angle = Math.atan2(y2 - y1, x2 - x1);
    const head = Math.max(width, height) * 0.025;
    const wing = (/** @type {number} */ a) => `${x2 - head * Math.cos(angle + a)},${y2 - head * Math.sin(angle + a)}`;
    group.append(svg('line', { ...stroke, x1, y1, x2, y2 }), svg('polyline', { ...stroke, points: `${wing(0.45)} ${x2},${y2} ${wing(-0.45)}` }));
  } else if (kind === 'text' && at) {
    const size = width * 0.035;
    const t = svg('text', { x: X(at), y: Y(at) + size, fill: colour, 'font-size': size, class: 'mark-text' });
    t.textContent = text ?? '';
    group.append(t);
  }
}

/**
 * A dot of a mark's colour (set through the style object: the page's CSP
 * refuses style attributes).
 * @param {MarkColour} colour
 * @param {Record<string, any>} [attributes]
 */
function swatch(colour, attributes = {}) {
  const element = h(attributes.onclick ? 'button' : 'span', { class: 'swatch', ...attributes });
  element.style.background = MARK_COLOURS[colour];
  return element;
}

/** The first point of a shape, where its author's name goes. @param {Shape} shape @returns {Point} */
function anchor(shape) {
  return shape.points?.[0] ?? shape.from ?? shape.at ?? { x: 0, y: 0 };
}

export class Annotator {
  /** @type {ShapeKind|null} the tool in hand; null pans and zooms */
  tool = null;
  /** @type {MarkColour} */
  colour = 'red';
  /** @type {{stroke: number, shape: Shape}|null} the mark being drawn here */
  drawing = null;
  stroke = 0;
  lastPreview = 0;
  width = 1;
  height = 1;

  /**
   * @param {import('../pages/room.js').RoomPage} room
   * @param {import('../protocol.js').Evidence} item
   * @param {number} page 1 for an image
   * @param {HTMLElement} frame holds the picture; the layer is laid over it
   * @param {HTMLImageElement} picture
   * @param {HTMLElement} tools where the tools and the list of marks go
   */
  constructor(room, item, page, frame, picture, tools) {
    this.room = room;
    this.item = item;
    this.page = page;
    this.picture = picture;
    this.layer = /** @type {SVGSVGElement} */ (svg('svg', { class: 'mark-layer', id: 'mark-layer', preserveAspectRatio: 'none' }));
    frame.append(this.layer);
    this.tools = h('div', { class: 'annotation-tools', id: 'annotation-tools' });
    tools.append(this.tools);
    const sized = () => {
      this.width = picture.naturalWidth || 1;
      this.height = picture.naturalHeight || 1;
      this.layer.setAttribute('viewBox', `0 0 ${this.width} ${this.height}`);
      this.render();
    };
    if (picture.complete) sized();
    else picture.addEventListener('load', sized, { once: true });
    this.layer.addEventListener('pointerdown', (e) => this.down(e));
    this.layer.addEventListener('pointermove', (e) => this.move(e));
    this.layer.addEventListener('pointerup', () => this.up());
    this.layer.addEventListener('pointercancel', () => this.cancel());
    this.unsubscribe = [
      room.onMarks(() => this.render()),
      room.subscribe((state) => {
        if (!this.mayDraw()) this.cancel();
        this.renderTools(state);
        this.render();
      }),
    ];
  }

  destroy() {
    for (const stop of this.unsubscribe) stop();
    this.layer.remove();
    this.tools.remove();
  }

  me() {
    return this.room.state().view?.me ?? null;
  }

  mayDraw() {
    const view = this.room.state().view;
    return !!view && !OVER_STATUSES.includes(view.status) && (view.me.annotating === 'allowed' || view.me.annotating === 'court');
  }

  /** @returns {Mark[]} */
  marksHere() {
    return [...this.room.marks.values()].filter((m) => m.evidence_id === this.item.id && m.page === this.page);
  }

  /** @param {PointerEvent} e @returns {Point} */
  point(e) {
    const box = this.layer.getBoundingClientRect();
    return { x: round((e.clientX - box.left) / box.width), y: round((e.clientY - box.top) / box.height) };
  }

  /** @param {Shape} shape @returns {MarkDraft} */
  draft(shape) {
    return { evidence_id: this.item.id, page: this.page, colour: this.colour, shape };
  }

  /** @param {PointerEvent} e */
  async down(e) {
    if (!this.tool || !this.mayDraw()) return;
    e.preventDefault();
    e.stopPropagation();
    const at = this.point(e);
    if (this.tool === 'text') {
      const text = window.prompt(`圈注文字（不超过${MARK_LIMITS.textChars}字）`)?.trim();
      if (text) this.commit({ kind: 'text', at, text: text.slice(0, MARK_LIMITS.textChars) });
      return;
    }
    this.layer.setPointerCapture(e.pointerId);
    this.stroke += 1;
    const shape = this.tool === 'ink' ? { kind: this.tool, points: [at] } : { kind: this.tool, from: at, to: at };
    this.drawing = { stroke: this.stroke, shape: /** @type {Shape} */ (shape) };
    this.render();
  }

  /** @param {PointerEvent} e */
  move(e) {
    if (!this.drawing) return;
    e.stopPropagation();
    const at = this.point(e);
    const shape = this.drawing.shape;
    if (shape.points) {
      if (shape.points.length < MARK_LIMITS.inkPoints) shape.points.push(at);
    } else {
      shape.to = at;
    }
    this.render();
    const now = performance.now();
    if (now - this.lastPreview >= PREVIEW_INTERVAL_MS) {
      this.lastPreview = now;
      this.room.previewMark(this.drawing.stroke, this.draft(shape));
    }
  }

  up() {
    const drawing = this.drawing;
    this.drawing = null;
    if (!drawing) return;
    const { shape } = drawing;
    const big = shape.points
      ? shape.points.length > 1
      : !!shape.from && !!shape.to && Math.abs(shape.to.x - shape.from.x) + Math.abs(shape.to.y - shape.from.y) > 0.005;
    if (big) this.commit(shape);
    else this.render();
  }

  /** The judge withdrew the permission (or the hearing moved on): what was being drawn goes. */
  cancel() {
    if (!this.drawing) return;
    this.drawing = null;
    this.render();
  }

  /** @param {Shape} shape */
  async commit(shape) {
    this.pending = shape;
    this.render();
    try {
      await this.room.annotate({ type: 'draw_mark', draft: this.draft(shape) });
    } catch (e) {
      this.notice(/** @type {Error} */ (e).message);
    } finally {
      this.pending = undefined;
      this.render();
    }
  }

  /** @param {string} text */
  notice(text) {
    const line = this.tools.querySelector('.annotation-notice');
    if (line) line.textContent = text;
  }

  render() {
    const layer = this.layer;
    layer.replaceChildren();
    layer.classList.toggle('drawing', !!this.tool && this.mayDraw());
    const group = (/** @type {string} */ className, /** @type {Record<string, string>} */ data = {}) => {
      const g = svg('g', { class: className });
      for (const [k, v] of Object.entries(data)) g.setAttribute(`data-${k}`, v);
      layer.append(g);
      return g;
    };
    /**
     * @param {SVGElement} g
     * @param {Shape} shape
     * @param {MarkColour} colour
     * @param {string|null} who
     */
    const draw = (g, shape, colour, who) => {
      drawShape(g, shape, MARK_COLOURS[colour], this.width, this.height);
      if (!who) return;
      const at = anchor(shape);
      const size = this.width * 0.022;
      // Near the right edge the name ends at the mark instead of running off the picture.
      const name = svg('text', {
        x: at.x * this.width, y: Math.max(size, at.y * this.height - size * 0.4), fill: MARK_COLOURS[colour], 'font-size': size,
        class: 'mark-author', 'text-anchor': at.x > 0.7 ? 'end' : 'start',
      });
      name.textContent = who;
      g.append(name);
    };
    for (const mark of this.marksHere()) {
      draw(group('mark', { mark: String(mark.id), author: String(mark.author.id) }), mark.shape, mark.colour, label(mark.author));
    }
    for (const preview of this.room.previews.values()) {
      if (preview.draft.evidence_id !== this.item.id || preview.draft.page !== this.page) continue;
      draw(group('mark preview', { author: String(preview.author.id) }), preview.draft.shape, preview.draft.colour, label(preview.author));
    }
    const mine = this.drawing?.shape ?? this.pending;
    if (mine) draw(group('mark preview mine'), mine, this.colour, null);
    this.renderList();
  }

  /** @param {import('../pages/room.js').RoomState} state */
  renderTools(state) {
    const view = state.view;
    if (!view) return;
    const me = view.me;
    const over = OVER_STATUSES.includes(view.status);
    const party = EVIDENCE_ROLES.includes(/** @type {any} */ (me.role));
    const court = COURT_ROLES.includes(/** @type {any} */ (me.role));
    /** @type {Array<HTMLElement|HTMLElement[]>} */
    const rows = [h('h3', {}, '圈注')];
    if (!over && party && me.annotating === 'no') {
      rows.push(h('button', {
        type: 'button', name: 'request-annotation',
        onclick: () => this.room.annotate({ type: 'request_annotation', evidence_id: this.item.id }).catch((e) => this.notice(e.message)),
      }, '申请圈注'));
    } else if (!over && me.annotating === 'requested') {
      rows.push(h('p', { class: 'hint', id: 'annotation-waiting' }, '已申请圈注，等待法官同意'));
    }
    if (this.mayDraw()) {
      const toolButton = (/** @type {ShapeKind|null} */ tool, /** @type {string} */ text) => h('button', {
        type: 'button', name: `tool-${tool ?? 'none'}`, class: this.tool === tool ? 'tool active' : 'tool',
        onclick: () => { this.tool = tool; this.renderTools(this.room.state()); this.render(); },
      }, text);
      rows.push(
        h('div', { class: 'inline tools' }, toolButton(null, '浏览'), TOOLS.map(([tool, text]) => toolButton(tool, text))),
        h('div', { class: 'inline colours' }, /** @type {MarkColour[]} */ (Object.keys(MARK_COLOURS)).map((colour) => swatch(colour, {
          type: 'button', name: `colour-${colour}`, title: MARK_COLOUR_LABELS[colour], class: this.colour === colour ? 'swatch active' : 'swatch',
          onclick: () => { this.colour = colour; this.renderTools(this.room.state()); },
        }))),
        h('button', { type: 'button', name: 'undo-mark', onclick: () => this.undo() }, '撤销'));
      if (!court && me.annotating === 'allowed') rows.push(h('p', { class: 'hint' }, '法官已同意您圈注，休庭或闭庭后需重新申请。'));
    }
    if (PATHS.evidenceAnnotated) {
      rows.push(h('button', { type: 'button', class: 'link', name: 'export-marks', onclick: () => this.export() }, '导出圈注图'));
    }
    rows.push(h('p', { class: 'annotation-notice', role: 'status' }), h('ul', { class: 'mark-list', id: 'mark-list' }));
    replace(this.tools, ...rows);
    this.renderList();
  }

  renderList() {
    const list = this.tools.querySelector('#mark-list');
    if (!list) return;
    const me = this.me();
    const judge = !!me && JUDGE_ROLES.includes(/** @type {any} */ (me.role)) && this.mayDraw();
    replace(/** @type {HTMLElement} */ (list), this.marksHere().map((mark) => h('li', { dataset: { mark: String(mark.id) } },
      swatch(mark.colour),
      h('span', {}, `${label(mark.author)}　${SHAPE_LABELS[mark.shape.kind]}　${formatTime(mark.created_at_ms)}`),
      judge
        ? h('button', { type: 'button', class: 'link', name: 'clear-mark', onclick: () => this.remove(mark.id) }, '清除')
        : null)));
  }

  async undo() {
    const me = this.me();
    const mine = this.marksHere().filter((m) => m.author.id === me?.id);
    const last = mine[mine.length - 1];
    if (!last) return this.notice('没有可撤销的圈注');
    await this.remove(last.id);
  }

  /** @param {number} id */
  async remove(id) {
    try {
      await this.room.annotate({ type: 'remove_mark', mark_id: id });
    } catch (e) {
      this.notice(/** @type {Error} */ (e).message);
    }
  }

  async export() {
    try {
      const url = await blobUrl(`${path(PATHS.evidenceAnnotated, this.item.id)}?page=${this.page}`, this.room.token);
      const a = h('a', { href: url, download: `${this.item.title}-圈注.png`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      this.notice(/** @type {Error} */ (e).message);
    }
  }
}
