// 举证质证: the hearing's evidence by side (反 on counter-evidence, with the
// evidence it answers), opened in the large viewer, opinions on the other
// sides' evidence, and submitting evidence with progress. It subscribes to
// the room: it loads whenever access returns and on every evidence notice.

import { ApiError } from '../api.js';
import { formatSize, formatTime, h, hashView, replace } from '../dom.js';
import { label } from '../labels.js';
import {
  BLOCKED_MESSAGE, EVIDENCE_ROLES, JUDGE_ROLES, KIND_LABELS, OVER_STATUSES, PATHS, PRIVATE_KINDS, ROLE_SIDES, SIDE_LABELS,
  SIDE_ORDER, STANCE_LABELS, path,
} from '../protocol.js';
import { roomOf } from './context.js';
import { uploadEvidence } from './uploads.js';

/** What the upload form says while a file is checked, sent, or waits for the network. */
const UPLOAD_STAGES = { checking: '正在校验文件', sending: '上传中', waiting: '网络中断，等待恢复后继续上传' };

/**
 * @typedef {import('../protocol.js').Evidence} Evidence
 * @typedef {import('../protocol.js').Position} Position
 */

const ASPECTS = /** @type {const} */ ([
  ['authenticity', '真实性'],
  ['legality', '合法性'],
  ['relevance', '关联性'],
]);

/**
 * Whether this participant gets an item's original: a photo, recording or
 * video may say where it was made, so only its own side and the court get
 * it unless the judge released it (the server decides; this only picks links).
 * @param {Evidence} item
 * @param {{role: string}|null} me
 */
export function mayHaveOriginal(item, me) {
  const mySide = me ? ROLE_SIDES[/** @type {import('../protocol.js').ParticipantRole} */ (me.role)] : '';
  return !PRIVATE_KINDS.includes(item.kind) || item.original_released || mySide === 'court' || mySide === item.side;
}

export class EvidencePanel extends HTMLElement {
  /** @type {Evidence[]} */
  items = [];
  epoch = -1;
  loads = 0;
  /** @type {{role: string, id: number, name: string}|null} */
  me = null;
  /** @type {import('../protocol.js').HearingStatus|null} */
  status = null;
  /**
   * 质证意见 forms opened or typed in, by evidence id: the list is drawn again whenever anyone
   * changes any evidence, and an opinion being written is kept until it is submitted.
   * @type {Map<string, HTMLElement>}
   */
  drafts = new Map();

  connectedCallback() {
    const room = roomOf(this);
    if (!room) return;
    this.room = room;
    this.listElement = h('div', { class: 'evidence-list' });
    this.formSlot = h('div', { class: 'upload-slot' });
    this.state = h('p', { class: 'panel-state', role: 'status' });
    replace(this, this.formSlot, this.state, this.listElement);
    this.unsubscribe = room.subscribe((state) => {
      this.me = state.me;
      if (state.status !== this.status) {
        // After 闭庭 nothing is offered that can no longer be done: the form, 撤回, 质证意见.
        this.status = state.status;
        this.renderForm();
        this.render();
      }
      if (!state.blocked && state.view && state.epoch !== this.epoch) {
        this.epoch = state.epoch;
        this.refresh();
      }
    });
    this.unnotice = room.onNotice((notice) => {
      if (notice.kind === 'evidence_changed') this.refresh();
    });
  }

  disconnectedCallback() {
    this.unsubscribe?.();
    this.unnotice?.();
  }

  isParty() {
    return !!this.me && EVIDENCE_ROLES.includes(/** @type {any} */ (this.me.role));
  }

  isJudge() {
    return !!this.me && JUDGE_ROLES.includes(/** @type {any} */ (this.me.role));
  }

  over() {
    return !!this.status && OVER_STATUSES.includes(this.status);
  }

  async refresh() {
    if (!this.room) return;
    const load = ++this.loads;
    try {
      const items = await this.room.api('GET', path(PATHS.evidenceList, this.room.hearingId));
      if (load !== this.loads) return;
      this.items = items;
      if (this.state) this.state.textContent = '';
    } catch (e) {
      if (load !== this.loads || !this.state) return;
      // Refused while blocked: said here too; the summons brings the list back.
      this.state.textContent = e instanceof ApiError && e.code === 'blocked' ? BLOCKED_MESSAGE : /** @type {Error} */ (e).message;
      return;
    }
    this.render();
  }

  /** The upload form for parties while the hearing runs; after 闭庭, why there is none. */
  renderForm() {
    if (!this.formSlot) return;
    if (!this.isParty()) return replace(this.formSlot);
    if (this.over()) return replace(this.formSlot, h('p', { class: 'hint', id: 'upload-closed' }, '庭审已结束，不能再提交证据。'));
    if (!this.form) this.form = this.uploadForm();
    replace(this.formSlot, this.form);
  }

  render() {
    if (!this.listElement) return;
    const items = this.items;
    this.populateAnswers();
    if (!items.length) {
      replace(this.listElement, h('p', { class: 'empty' }, '尚无证据'));
      return;
    }
    // Where the user is typing stays where it is.
    const active = document.activeElement;
    const typing = active instanceof HTMLInputElement && this.listElement.contains(active) ? active : null;
    const selection = typing?.type === 'text' ? [typing.selectionStart, typing.selectionEnd] : null;
    replace(this.listElement, SIDE_ORDER.map((side) => {
      const list = items.filter((item) => item.side === side);
      return list.length
        ? h('section', { class: 'side', dataset: { side } },
          h('h3', {}, `${SIDE_LABELS[side]}证据`),
          h('ol', {}, list.map((item) => this.itemView(item))))
        : null;
    }));
    for (const id of this.drafts.keys()) {
      if (!this.drafts.get(id)?.isConnected) this.drafts.delete(id);
    }
    if (typing?.isConnected) {
      typing.focus();
      if (selection) typing.setSelectionRange(selection[0], selection[1]);
    }
  }

  /** The order the viewer pages through: as listed. */
  ordered() {
    return SIDE_ORDER.flatMap((side) => this.items.filter((item) => item.side === side));
  }

  /** @param {string} id */
  open(id) {
    this.room?.openEvidence(this.ordered(), id);
  }

  /** @param {Evidence} item */
  itemView(item) {
    const mySide = this.me ? ROLE_SIDES[/** @type {any} */ (this.me.role)] : '';
    const mayOpine = this.isParty() && item.side !== mySide && !item.withdrawn_at_ms && !this.over();
    const answered = item.answers ? this.items.find((i) => i.id === item.answers) : undefined;
    return h('li', { class: item.withdrawn_at_ms ? 'evidence withdrawn' : 'evidence', dataset: { evidence: item.id } },
      h('div', { class: 'evidence-head' },
        item.counter ? h('span', { class: 'badge counter', title: '反证' }, '反') : null,
        h('button', { type: 'button', class: 'link title', name: 'open-evidence', onclick: () => this.open(item.id) }, item.title),
        h('span', { class: 'kind' }, KIND_LABELS[item.kind] ?? item.kind),
        item.withdrawn_at_ms ? h('span', { class: 'status cancelled' }, '已撤回') : null),
      answered
        ? h('div', { class: 'answers' }, '针对：',
          h('button', { type: 'button', class: 'link', name: 'answered', onclick: () => this.open(answered.id) }, `${SIDE_LABELS[answered.side]}证据「${answered.title}」`))
        : null,
      h('div', { class: 'meta' }, `${label(item.submitter)}　${formatTime(item.submitted_at_ms)}　${formatSize(item.size)}`),
      h('div', { class: 'purpose' }, `证明目的：${item.purpose}`),
      item.description ? h('div', { class: 'description' }, item.description) : null,
      h('div', { class: 'meta' }, hashView(item.sha256)),
      item.opinions.length
        ? h('ul', { class: 'opinions' }, item.opinions.map((o) => h('li', {},
          h('strong', {}, `${label(o.by)}：`),
          ASPECTS.map(([key, text]) => {
            const position = o[key];
            return h('span', { class: position.stance === 'accept' ? 'accept' : 'dispute' },
              `${text}${STANCE_LABELS[position.stance]}${position.reason ? `（${position.reason}）` : ''}　`);
          }))))
        : null,
      mayOpine ? this.opinionForm(item) : null,
      item.submitter.id === this.me?.id && !item.withdrawn_at_ms && !this.over()
        ? h('button', { type: 'button', class: 'link', onclick: () => this.withdraw(item) }, '撤回')
        : null,
      item.original_released ? h('span', { class: 'meta' }, '原件已公开') : null);
  }

  async withdraw(/** @type {Evidence} */ item) {
    if (!this.room || !window.confirm('确定撤回该证据？撤回记录将保留在庭审记录中。')) return;
    await this.room.api('POST', path(PATHS.evidenceWithdraw, item.id)).catch((e) => window.alert(e.message));
    this.refresh();
  }

  /** @param {Evidence} item */
  opinionForm(item) {
    const draft = this.drafts.get(item.id);
    if (draft) return draft;
    const mine = item.opinions.find((o) => o.by.id === this.me?.id);
    const error = h('p', { class: 'error' });
    const rows = ASPECTS.map(([key, text]) => {
      const current = mine?.[key];
      const accept = h('input', { type: 'radio', name: `${item.id}-${key}`, value: 'accept', checked: current ? current.stance === 'accept' : true });
      const dispute = h('input', { type: 'radio', name: `${item.id}-${key}`, value: 'dispute', checked: current?.stance === 'dispute' });
      const reason = h('input', { name: `${key}-reason`, placeholder: '理由（有异议时必填）', value: current?.reason ?? '' });
      return { key, row: h('div', { class: 'aspect' }, h('span', {}, text), h('label', {}, accept, '认可'), h('label', {}, dispute, '有异议'), reason), dispute, reason };
    });
    const form = h('details', {
      class: 'opinion-form',
      ontoggle: () => form.open && this.drafts.set(item.id, form),
      oninput: () => this.drafts.set(item.id, form),
    },
      h('summary', {}, mine ? '修改质证意见' : '发表质证意见'),
      h('form', {
        onsubmit: async (/** @type {SubmitEvent} */ event) => {
          event.preventDefault();
          /** @type {Record<string, Position>} */
          const opinion = {};
          for (const { key, dispute, reason } of rows) opinion[key] = { stance: dispute.checked ? 'dispute' : 'accept', reason: reason.value.trim() };
          try {
            await this.room?.api('PUT', path(PATHS.evidenceOpinion, item.id), { body: opinion });
            this.drafts.delete(item.id);
            this.refresh();
          } catch (e) {
            error.textContent = /** @type {Error} */ (e).message;
          }
        },
      }, rows.map((r) => r.row), error, h('button', { type: 'submit', class: 'secondary' }, '提交质证意见')));
    return form;
  }

  uploadForm() {
    const file = h('input', { type: 'file', name: 'file', required: true, accept: 'image/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,audio/*,video/*' });
    const title = h('input', { name: 'title', required: true, maxLength: 100, placeholder: '如：借条照片' });
    const purpose = h('textarea', { name: 'purpose', required: true, rows: 2, placeholder: '该证据要证明的事实' });
    const description = h('input', { name: 'description', maxLength: 2000, placeholder: '可选' });
    this.answers = h('select', { name: 'answers' }, h('option', { value: '' }, '（不指定）'));
    // Which evidence a 反证 answers is asked only of a 反证.
    const answering = h('label', { hidden: true }, '针对的证据', this.answers);
    const counter = h('input', { type: 'checkbox', name: 'counter', onchange: () => (answering.hidden = !counter.checked) });
    const progress = h('progress', { max: 100, value: 0, hidden: true, class: 'upload-progress' });
    const state = h('span', { class: 'upload-state' });
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', name: 'submit-evidence' }, '提交证据');
    const form = h('form', {
      class: 'upload',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault();
        const chosen = file.files?.[0];
        const room = this.room;
        if (!chosen || !room) return;
        error.textContent = '';
        submit.disabled = true;
        progress.hidden = false;
        state.textContent = '上传中';
        // Leaving now would leave the upload unfinished (a submit again of the same file continues it).
        const guard = (/** @type {BeforeUnloadEvent} */ e) => e.preventDefault();
        window.addEventListener('beforeunload', guard);
        try {
          await uploadEvidence(room.token, room.hearingId, chosen, {
            title: title.value.trim(),
            description: description.value.trim(),
            purpose: purpose.value.trim(),
            counter: counter.checked,
            answers: counter.checked && this.answers?.value ? this.answers.value : null,
          }, (done, total, stage) => {
            state.textContent = UPLOAD_STAGES[stage];
            progress.value = Math.round((done * 100) / Math.max(total, 1));
          });
          state.textContent = '已提交';
          form.reset();
          answering.hidden = true;
          this.refresh();
        } catch (e) {
          state.textContent = '失败';
          error.textContent = /** @type {Error} */ (e).message;
        } finally {
          window.removeEventListener('beforeunload', guard);
          submit.disabled = false;
        }
      },
    },
    h('details', { class: 'upload-details' },
      h('summary', {}, '提交证据'),
      h('label', {}, '文件（从相册或文件中选择）', file),
      h('label', {}, '证据名称', title),
      h('label', {}, '证明目的', purpose),
      h('label', {}, '说明', description),
      h('label', { class: 'check' }, counter, '反证'),
      answering,
      h('div', { class: 'inline' }, progress, state),
      error,
      submit));
    return form;
  }

  populateAnswers() {
    if (!this.answers) return;
    const mySide = this.me ? ROLE_SIDES[/** @type {any} */ (this.me.role)] : '';
    const current = this.answers.value;
    replace(this.answers, h('option', { value: '' }, '（不指定）'),
      this.items.filter((i) => i.side !== mySide && !i.withdrawn_at_ms).map((i) => h('option', { value: i.id, selected: i.id === current }, `${SIDE_LABELS[i.side]}：${i.title}`)));
  }
}

customElements.define('ct-evidence-panel', EvidencePanel);
