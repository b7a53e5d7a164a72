// 圈注 over the evidence being viewed: a layer of marks over the image or PDF
// page (in fractions of its width and height, so it follows zoom and pan),
// the marks others are drawing as they draw them, and the tools: 申请圈注,
// then 画笔 / 矩形 / 椭圆 / 箭头 / 文字 in four colours, 撤销, and for the
// presiding judge 清除 on any mark and 收回圈注. The server decides every mark.

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
  /** @type {Shape|undefined} a finished mark on its way to the server */
  pending;
  stroke = 0;
  lastPreview = 0;
  /** The last stroke the others were shown a preview of. */
  shown = 0;
  width = 1;
  height = 1;
  /** The marks the layer and the list show (their ids): both are drawn again only when these change. */
  marksShown = '';
  /** What the tools were drawn for, and the part of it a message depends on. */
  toolsShown = '';
  standingShown = '';

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
    // Committed marks, the others' strokes as they draw, and this participant's own stroke, each redrawn on its own.
    this.marksGroup = svg('g', { class: 'layer-marks' });
    this.previewsGroup = svg('g', { class: 'layer-previews' });
    this.mineGroup = svg('g', { class: 'layer-mine' });
    this.layer.append(this.marksGroup, this.previewsGroup, this.mineGroup);
    frame.append(this.layer);
    this.tools = h('div', { class: 'annotation-tools', id: 'annotation-tools' });
    // Kept across redraws of the tools: a message stays until the user acts or it no longer applies.
    this.message = h('p', { class: 'annotation-notice', id: 'annotation-notice', role: 'status' });
    this.list = h('ul', { class: 'mark-list', id: 'mark-list' });
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
      room.onMarks(() => this.marksChanged()),
      room.subscribe(() => this.stateChanged()),
    ];
  }

  destroy() {
    this.cancel();
    for (const stop of this.unsubscribe) stop();
    this.layer.remove();
    this.tools.remove();
  }

  /**
   * The item changed on the server (withdrawn, say).
   * @param {import('../protocol.js').Evidence} item
   */
  setItem(item) {
    this.item = item;
    this.stateChanged();
  }

  me() {
    return this.room.state().view?.me ?? null;
  }

  withdrawn() {
    return !!this.item.withdrawn_at_ms;
  }

  mayDraw() {
    const view = this.room.state().view;
    return !!view && !this.withdrawn() && !OVER_STATUSES.includes(view.status)
      && (view.me.annotating === 'allowed' || view.me.annotating === 'court');
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
    this.say('');
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
    this.renderMine();
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
    this.renderMine();
    const now = performance.now();
    if (now - this.lastPreview >= PREVIEW_INTERVAL_MS) {
      this.lastPreview = now;
      this.shown = this.drawing.stroke;
      this.room.previewMark(this.drawing.stroke, this.draft(shape));
    }
  }

  up() {
    const drawing = this.drawing;
    if (!drawing) return;
    const { shape } = drawing;
    const big = shape.points
      ? shape.points.length > 1
      : !!shape.from && !!shape.to && Math.abs(shape.to.x - shape.from.x) + Math.abs(shape.to.y - shape.from.y) > 0.005;
    if (!big) return this.cancel();
    this.drawing = null;
    this.commit(shape);
  }

  /**
   * Gives up the stroke being drawn (too small to keep, the pointer or touch
   * cancelled, the permission gone, the viewer moved on): it goes here, and
   * from the others' screens if they were shown it.
   */
  cancel() {
    const drawing = this.drawing;
    if (!drawing) return;
    this.drawing = null;
    if (this.shown === drawing.stroke) this.room.clearPreview();
    this.renderMine();
  }

  /** @param {Shape} shape */
  async commit(shape) {
    this.pending = shape;
    this.renderMine();
    try {
      await this.room.annotate({ type: 'draw_mark', draft: this.draft(shape) });
    } catch (e) {
      this.say(/** @type {Error} */ (e).message);
    } finally {
      this.pending = undefined;
      this.renderMine();
    }
  }

  /** Shows a message under the tools ('' takes it away). @param {string} text */
  say(text) {
    this.message.textContent = text;
  }

  /**
   * Draws one shape, with its author's name when it is someone's.
   * @param {SVGElement} g
   * @param {Shape} shape
   * @param {MarkColour} colour
   * @param {string|null} who
   */
  draw(g, shape, colour, who) {
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
  }

  /** Everything again: the picture's size changed. */
  render() {
    this.renderMarks();
    this.renderPreviews();
    this.renderMine();
    this.renderList();
  }

  /** A mark or a preview came or went: only what changed is drawn again. */
  marksChanged() {
    const shown = this.marksHere().map((m) => m.id).join(',');
    if (shown !== this.marksShown) {
      this.renderMarks();
      this.renderList();
    }
    this.renderPreviews();
  }

  renderMarks() {
    const marks = this.marksHere();
    this.marksShown = marks.map((m) => m.id).join(',');
    this.marksGroup.replaceChildren(...marks.map((mark) => {
      const g = svg('g', { class: 'mark', 'data-mark': mark.id, 'data-author': mark.author.id });
      this.draw(g, mark.shape, mark.colour, label(mark.author));
      return g;
    }));
  }

  renderPreviews() {
    const previews = [...this.room.previews.values()].filter((p) => p.draft.evidence_id === this.item.id && p.draft.page === this.page);
    this.previewsGroup.replaceChildren(...previews.map((preview) => {
      const g = svg('g', { class: 'mark preview', 'data-author': preview.author.id });
      this.draw(g, preview.draft.shape, preview.draft.colour, label(preview.author));
      return g;
    }));
  }

  /** This participant's own stroke: the only thing drawn again while the pointer moves. */
  renderMine() {
    const mine = this.drawing?.shape ?? this.pending;
    this.mineGroup.replaceChildren();
    if (!mine) return;
    const g = svg('g', { class: 'mark preview mine' });
    this.draw(g, mine, this.colour, null);
    this.mineGroup.append(g);
  }

  /** The room changed: the tools are drawn again only when what they offer does. */
  stateChanged() {
    if (!this.mayDraw()) this.cancel();
    const view = this.room.state().view;
    if (!view) return;
    const presiding = this.room.state().presides;
    const standing = JSON.stringify([view.status, view.me.role, view.me.annotating, presiding, this.withdrawn()]);
    // The presiding judge may 收回圈注 from here: whom that concerns is part of what the tools show.
    const allowed = presiding ? view.participants.filter((p) => p.annotating === 'allowed').map((p) => [p.id, label(p)]) : [];
    const tools = JSON.stringify([standing, this.tool, this.colour, allowed]);
    if (standing !== this.standingShown) {
      this.standingShown = standing;
      this.say('');
      this.renderList();
    }
    if (tools === this.toolsShown) return;
    this.toolsShown = tools;
    this.renderTools(view);
    this.layer.classList.toggle('drawing', !!this.tool && this.mayDraw());
  }

  /** @param {import('../protocol.js').RoomView} view */
  renderTools(view) {
    const me = view.me;
    const over = OVER_STATUSES.includes(view.status);
    const party = EVIDENCE_ROLES.includes(/** @type {any} */ (me.role));
    const court = COURT_ROLES.includes(/** @type {any} */ (me.role));
    /** @type {Array<HTMLElement|HTMLElement[]|null>} */
    const rows = [h('h3', {}, '圈注')];
    if (this.withdrawn()) {
      rows.push(h('p', { class: 'hint', id: 'annotation-withdrawn' }, '该证据已撤回，不能圈注。'));
    } else if (party && !over && me.annotating === 'no') {
      // The server takes 申请圈注 only while the hearing is in session.
      if (view.status === 'in_session') {
        rows.push(h('button', {
          type: 'button', name: 'request-annotation',
          onclick: () => {
            this.say('');
            this.room.annotate({ type: 'request_annotation', evidence_id: this.item.id }).catch((e) => this.say(e.message));
          },
        }, '申请圈注'));
      } else {
        const when = view.status === 'adjourned' ? '休庭中，继续开庭后可申请圈注。' : '庭审开始后可申请圈注。';
        rows.push(h('p', { class: 'hint', id: 'annotation-later' }, when));
      }
    } else if (!over && me.annotating === 'requested') {
      rows.push(h('p', { class: 'hint', id: 'annotation-waiting' }, '已申请圈注，等待法官同意'));
    }
    if (this.mayDraw()) {
      const toolButton = (/** @type {ShapeKind|null} */ tool, /** @type {string} */ text) => h('button', {
        type: 'button', name: `tool-${tool ?? 'none'}`, class: this.tool === tool ? 'tool active' : 'tool',
        onclick: () => { this.say(''); this.tool = tool; this.stateChanged(); },
      }, text);
      rows.push(
        h('div', { class: 'inline tools' }, toolButton(null, '浏览'), TOOLS.map(([tool, text]) => toolButton(tool, text))),
        h('div', { class: 'inline colours' }, /** @type {MarkColour[]} */ (Object.keys(MARK_COLOURS)).map((colour) => swatch(colour, {
          type: 'button', name: `colour-${colour}`, title: MARK_COLOUR_LABELS[colour], class: this.colour === colour ? 'swatch active' : 'swatch',
          onclick: () => { this.say(''); this.colour = colour; this.stateChanged(); },
        }))),
        h('button', { type: 'button', name: 'undo-mark', onclick: () => this.undo() }, '撤销'));
      if (!court && me.annotating === 'allowed') rows.push(h('p', { class: 'hint' }, '法官已同意您圈注，休庭或闭庭后需重新申请。'));
    }
    if (this.room.state().presides && !over) rows.push(this.permissions(view));
    if (PATHS.evidenceAnnotated) {
      rows.push(h('button', { type: 'button', class: 'link', name: 'export-marks', onclick: () => { this.say(''); this.export(); } }, '导出圈注图'));
    }
    rows.push(this.message, this.list);
    replace(this.tools, ...rows);
  }

  /**
   * For the presiding judge: who may draw now, each with 收回圈注, without leaving the viewer.
   * @param {import('../protocol.js').RoomView} view
   */
  permissions(view) {
    const allowed = view.participants.filter((p) => p.annotating === 'allowed');
    if (!allowed.length) return null;
    return h('ul', { class: 'annotation-permissions', id: 'annotation-permissions' }, allowed.map((p) => h('li', { dataset: { participant: String(p.id) } },
      h('span', {}, `${label(p)}　可圈注`),
      h('button', {
        type: 'button', class: 'link', name: 'withdraw-annotation',
        onclick: () => { this.say(''); this.room.command({ action: 'withdraw_annotation', participant_id: p.id }); },
      }, '收回圈注'))));
  }

  renderList() {
    const me = this.me();
    const judge = !!me && JUDGE_ROLES.includes(/** @type {any} */ (me.role)) && this.mayDraw();
    replace(this.list, this.marksHere().map((mark) => h('li', { dataset: { mark: String(mark.id) } },
      swatch(mark.colour),
      h('span', {}, `${label(mark.author)}　${SHAPE_LABELS[mark.shape.kind]}　${formatTime(mark.created_at_ms)}`),
      judge
        ? h('button', { type: 'button', class: 'link', name: 'clear-mark', onclick: () => { this.say(''); this.remove(mark.id); } }, '清除')
        : null)));
  }

  async undo() {
    this.say('');
    const me = this.me();
    const mine = this.marksHere().filter((m) => m.author.id === me?.id);
    const last = mine[mine.length - 1];
    if (!last) return this.say('没有可撤销的圈注');
    await this.remove(last.id);
  }

  /** @param {number} id */
  async remove(id) {
    try {
      await this.room.annotate({ type: 'remove_mark', mark_id: id });
    } catch (e) {
      this.say(/** @type {Error} */ (e).message);
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
      this.say(/** @type {Error} */ (e).message);
    }
  }
}
