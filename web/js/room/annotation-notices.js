// 圈注 wherever one is in the room (any tab, the evidence viewer open): the
// presiding judge sees each party's 申请圈注 — who, and the item it names —
// and answers 通过 or 拒绝 there; a party is told what became of their
// request and why the tools went (拒绝, 收回, 休庭, 闭庭, 屏蔽).

import { h, replace } from '../dom.js';
import { label } from '../labels.js';
import { EVIDENCE_ROLES, OVER_STATUSES, PATHS, SIDE_ORDER, path } from '../protocol.js';
import { roomOf } from './context.js';

/**
 * @typedef {import('../protocol.js').Evidence} Evidence
 * @typedef {import('../protocol.js').RoomView} RoomView
 * @typedef {import('../protocol.js').RoomNotice} RoomNotice
 * @typedef {{text: string, lasts: (view: RoomView) => boolean}} Told
 */

export class AnnotationNotices extends HTMLElement {
  /** The hearing's evidence by id, for the titles requests name; null until loaded or after a change. @type {Map<string, Evidence>|null} */
  evidence = null;
  loading = false;
  /** Counts changes of evidence, so that a list loaded before one is not kept. */
  changes = 0;
  /** What this party was last told, until they dismiss it or it no longer holds. @type {Told|null} */
  told = null;
  /** The party's own standing in the last view, to tell why it changed. @type {{annotating: string, status: string}|null} */
  standing = null;
  shown = '';

  connectedCallback() {
    const room = roomOf(this);
    if (!room) return;
    this.room = room;
    this.hidden = true;
    this.setAttribute('role', 'status');
    this.unsubscribe = room.subscribe(() => this.changed());
    this.unnotice = room.onNotice((notice) => this.noticed(notice));
  }

  disconnectedCallback() {
    this.unsubscribe?.();
    this.unnotice?.();
  }

  /** The party's standing changed with the hearing: say why their request or permission ended. */
  changed() {
    const view = this.room?.state().view;
    if (!view) return;
    const before = this.standing;
    this.standing = { annotating: view.me.annotating, status: view.status };
    if (before && (before.annotating === 'allowed' || before.annotating === 'requested') && view.me.annotating === 'no') {
      const had = before.annotating === 'allowed' ? '您的圈注权限已结束' : '您的圈注申请已失效';
      if (view.status === 'adjourned' && before.status !== 'adjourned') {
        this.tell(`已休庭，${had}；继续开庭后可重新申请圈注。`, (v) => v.status === 'adjourned');
      } else if (OVER_STATUSES.includes(view.status)) {
        this.tell(`庭审已结束，${had}。`, () => true);
      } else if (view.blocked_message) {
        this.tell(`您被法官屏蔽，${had}；如需圈注请重新申请。`, (v) => v.me.annotating === 'no');
      }
    }
    if (this.told && !this.told.lasts(view)) this.told = null;
    this.render();
  }

  /** @param {RoomNotice} notice */
  noticed(notice) {
    if (notice.kind === 'evidence_changed') {
      this.evidence = null;
      this.changes += 1;
      this.render();
      return;
    }
    const me = this.room?.state().view?.me;
    if (!me || notice.participant_id !== me.id) return;
    if (notice.kind === 'annotation_allowed') {
      this.tell('法官已同意您圈注，在证据查看中选择画笔等工具即可圈注。', (v) => v.me.annotating === 'allowed');
    } else if (notice.kind === 'annotation_refused') {
      this.tell('法官拒绝了您的圈注申请。', (v) => v.me.annotating === 'no');
    } else if (notice.kind === 'annotation_withdrawn') {
      this.tell('法官已收回您的圈注权限。', (v) => v.me.annotating === 'no');
    }
  }

  /**
   * @param {string} text
   * @param {(view: RoomView) => boolean} lasts while it still holds
   */
  tell(text, lasts) {
    this.told = { text, lasts };
    this.render();
  }

  /** The parties asking the presiding judge now. */
  requests() {
    const state = this.room?.state();
    const view = state?.view;
    if (!state?.presides || !view || OVER_STATUSES.includes(view.status)) return [];
    return view.participants.filter((p) => p.annotating === 'requested');
  }

  async loadEvidence() {
    const room = this.room;
    if (!room || this.loading) return;
    this.loading = true;
    const asked = this.changes;
    /** @type {Map<string, Evidence>} */
    let evidence;
    try {
      /** @type {Evidence[]} */
      const items = await room.api('GET', path(PATHS.evidenceList, room.hearingId));
      evidence = new Map(items.map((i) => [i.id, i]));
    } catch {
      // Requests show without the item's title; the next change of evidence asks again.
      evidence = new Map();
    } finally {
      this.loading = false;
    }
    if (asked === this.changes) this.evidence = evidence;
    this.render();
  }

  render() {
    const room = this.room;
    const state = room?.state();
    if (!room || !state) return;
    const requests = this.requests();
    if (requests.some((p) => p.annotation_request) && !this.evidence) this.loadEvidence();
    const party = !!state.me && EVIDENCE_ROLES.includes(/** @type {any} */ (state.me.role));
    const told = party && !state.blocked ? this.told : null;
    const item = (/** @type {string|null} */ id) => (id ? this.evidence?.get(id) : undefined);
    const shown = JSON.stringify([
      requests.map((p) => [p.id, label(p), p.annotation_request, item(p.annotation_request)?.title, item(p.annotation_request)?.withdrawn_at_ms]),
      told?.text,
    ]);
    if (shown === this.shown) return;
    this.shown = shown;
    this.hidden = !requests.length && !told;
    replace(this,
      requests.length
        ? h('section', { class: 'annotation-requests', id: 'annotation-requests' },
          h('h3', {}, '圈注申请'),
          h('ul', {}, requests.map((p) => {
            const named = item(p.annotation_request);
            const what = !p.annotation_request ? '' : named ? `「${named.title}」${named.withdrawn_at_ms ? '（已撤回）' : ''}` : '所选证据';
            /** @param {string} action */
            const answer = (action) => async (/** @type {MouseEvent} */ e) => {
              // One answer per request: a second click would only be refused.
              /** @type {HTMLButtonElement} */ (e.currentTarget).disabled = true;
              await room.command({ action, participant_id: p.id });
            };
            return h('li', { dataset: { participant: String(p.id) } },
              h('p', {}, h('strong', {}, label(p)), ` 申请圈注${what}`),
              h('div', { class: 'actions' },
                h('button', { type: 'button', class: 'primary', name: 'allow-annotation', onclick: answer('allow_annotation') }, '通过'),
                h('button', { type: 'button', name: 'refuse-annotation', onclick: answer('refuse_annotation') }, '拒绝'),
                named && !named.withdrawn_at_ms
                  ? h('button', { type: 'button', class: 'link', name: 'view-requested-evidence', onclick: () => this.show(named.id) }, '查看证据')
                  : null));
          })))
        : null,
      told
        ? h('section', { class: 'annotation-told', id: 'annotation-told' },
          h('p', {}, told.text),
          h('button', { type: 'button', class: 'link', name: 'dismiss-annotation-notice', onclick: () => { this.told = null; this.render(); } }, '知道了'))
        : null);
  }

  /** Opens the item a request names in the viewer, paging through the evidence as it is listed. @param {string} id */
  show(id) {
    const items = [...(this.evidence?.values() ?? [])];
    this.room?.openEvidence(SIDE_ORDER.flatMap((side) => items.filter((i) => i.side === side)), id);
  }
}

customElements.define('ct-annotation-notices', AnnotationNotices);
