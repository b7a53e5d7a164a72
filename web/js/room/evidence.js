// 举证质证: the hearing's evidence by side (反 on counter-evidence), viewing
// images and PDFs in the page, opinions on the other sides' evidence, and
// submitting evidence with progress.

import { blobUrl, api } from '../api.js';
import { formatSize, formatTime, h, replace } from '../dom.js';
import { KIND_LABELS, PARTY_SIDES, ROLE_SIDES, SIDE_LABELS, label } from '../labels.js';
import { uploadEvidence } from './uploads.js';

/** @typedef {{stance: 'accept'|'dispute', reason: string}} Position */

const ASPECTS = /** @type {const} */ ([
  ['authenticity', '真实性'],
  ['legality', '合法性'],
  ['relevance', '关联性'],
]);

export class EvidencePanel extends HTMLElement {
  /**
   * @param {string} token
   * @param {number} hearingId
   * @param {{id: number, name: string, role: string}} me
   */
  setup(token, hearingId, me) {
    this.token = token;
    this.hearingId = hearingId;
    this.me = me;
    /** @type {any[]} */
    this.items = [];
    this.listElement = h('div', { class: 'evidence-list' });
    this.viewer = h('div', { class: 'viewer' });
    this.form = this.isParty() ? this.uploadForm() : null;
    replace(this, this.form, this.listElement, this.viewer);
    this.refresh();
  }

  isParty() {
    return !!this.me && PARTY_SIDES.includes(ROLE_SIDES[this.me.role]);
  }

  async refresh() {
    if (!this.token || !this.listElement) return;
    try {
      this.items = await api('GET', `/api/hearings/${this.hearingId}/evidence`, { token: this.token });
    } catch {
      return;
    }
    this.render();
  }

  render() {
    if (!this.listElement) return;
    const items = this.items ?? [];
    if (!items.length) {
      replace(this.listElement, h('p', { class: 'empty' }, '尚无证据'));
      return;
    }
    /** @type {Map<string, any[]>} */
    const bySide = new Map();
    for (const side of ['plaintiff', 'defendant', 'third_party', 'witness', 'court']) bySide.set(side, []);
    for (const item of items) bySide.get(item.side)?.push(item);
    replace(this.listElement, [...bySide].filter(([, list]) => list.length).map(([side, list]) =>
      h('section', { class: 'side', dataset: { side } },
        h('h3', {}, `${SIDE_LABELS[side]}证据`),
        h('ol', {}, list.map((item) => this.itemView(item))))));
    this.populateAnswers();
  }

  /** @param {any} item */
  itemView(item) {
    const mySide = this.me ? ROLE_SIDES[this.me.role] : '';
    const mayOpine = this.isParty() && item.side !== mySide && !item.withdrawn_at_ms;
    return h('li', { class: item.withdrawn_at_ms ? 'evidence withdrawn' : 'evidence', dataset: { evidence: item.id } },
      h('div', { class: 'evidence-head' },
        item.counter ? h('span', { class: 'badge counter', title: '反证' }, '反') : null,
        h('button', { type: 'button', class: 'link title', onclick: () => this.view(item) }, item.title),
        h('span', { class: 'kind' }, KIND_LABELS[item.kind] ?? item.kind),
        item.withdrawn_at_ms ? h('span', { class: 'status cancelled' }, '已撤回') : null),
      h('div', { class: 'meta' }, `${label(item.submitter)}　${formatTime(item.submitted_at_ms)}　${formatSize(item.size)}`),
      h('div', { class: 'purpose' }, `证明目的：${item.purpose}`),
      item.description ? h('div', { class: 'description' }, item.description) : null,
      h('div', { class: 'meta mono', title: '原件的 SHA-256 校验值' }, `SHA-256 ${item.sha256}`),
      item.opinions.length
        ? h('ul', { class: 'opinions' }, item.opinions.map((/** @type {any} */ o) => h('li', {},
          h('strong', {}, `${label(o.by)}：`),
          ASPECTS.map(([key, text]) => {
            const position = o[key];
            return h('span', { class: position.stance === 'accept' ? 'accept' : 'dispute' },
              `${text}${position.stance === 'accept' ? '认可' : '有异议'}${position.reason ? `（${position.reason}）` : ''}　`);
          }))))
        : null,
      mayOpine ? this.opinionForm(item) : null,
      item.submitter.id === this.me?.id && !item.withdrawn_at_ms
        ? h('button', { type: 'button', class: 'link', onclick: () => this.withdraw(item) }, '撤回')
        : null,
      this.me && ['presiding_judge', 'judge'].includes(this.me.role) && ['image', 'audio', 'video'].includes(item.kind) && !item.original_released
        ? h('button', { type: 'button', class: 'link', onclick: () => this.release(item) }, '公开原件')
        : null,
      item.original_released ? h('span', { class: 'meta' }, '原件已公开') : null);
  }

  /**
   * Whether this participant gets the item's original: a photo, recording or
   * video may say where it was made, so only its own side and the court get
   * it unless the judge released it (the server decides; this only picks links).
   * @param {any} item
   */
  mayHaveOriginal(item) {
    const mySide = this.me ? ROLE_SIDES[this.me.role] : '';
    const private_ = ['image', 'audio', 'video'].includes(item.kind);
    return !private_ || item.original_released || mySide === 'court' || mySide === item.side;
  }

  /** Shows an image's preview or a PDF in the page; other files download. */
  async view(/** @type {any} */ item) {
    if (!this.viewer || !this.token) return;
    replace(this.viewer, h('p', {}, '正在加载……'));
    const download = async (/** @type {string} */ variant, /** @type {string} */ text, /** @type {string} */ name) =>
      h('a', { href: await blobUrl(`/api/evidence/${item.id}/${variant}`, this.token ?? ''), download: name, class: 'button' }, text);
    try {
      if (item.has_preview) {
        const url = await blobUrl(`/api/evidence/${item.id}/preview`, this.token);
        const full = this.mayHaveOriginal(item)
          ? await download('original', '下载原件', item.file_name)
          : await download('copy', '下载原图（已去除拍摄位置等信息）', `${item.title}.jpg`);
        replace(this.viewer, h('figure', {}, h('img', { src: url, alt: item.title, class: 'evidence-image' }), h('figcaption', {}, item.title, ' ', full)));
      } else if (!this.mayHaveOriginal(item)) {
        replace(this.viewer, h('p', {}, '该证据原件可能含有拍摄位置等个人信息，仅限提交方和法庭下载；如需原件，请向法官申请公开。'));
      } else if (item.kind === 'pdf') {
        const url = await blobUrl(`/api/evidence/${item.id}/original`, this.token);
        replace(this.viewer, h('iframe', { src: url, title: item.title, class: 'evidence-pdf' }));
      } else {
        replace(this.viewer, await download('original', `下载 ${item.file_name}`, item.file_name));
      }
    } catch (e) {
      replace(this.viewer, h('p', { class: 'error' }, /** @type {Error} */ (e).message));
    }
  }

  /** The presiding judge lets every party download an original (logged). */
  async release(/** @type {any} */ item) {
    if (!this.token || !window.confirm('公开后，各方当事人均可下载该证据原件（可能含有拍摄位置等信息）。确定公开？')) return;
    await api('POST', `/api/evidence/${item.id}/release`, { token: this.token }).catch((e) => window.alert(e.message));
    this.refresh();
  }

  async withdraw(/** @type {any} */ item) {
    if (!this.token || !window.confirm('确定撤回该证据？撤回记录将保留在庭审记录中。')) return;
    await api('POST', `/api/evidence/${item.id}/withdraw`, { token: this.token }).catch((e) => window.alert(e.message));
    this.refresh();
  }

  /** @param {any} item */
  opinionForm(item) {
    const mine = item.opinions.find((/** @type {any} */ o) => o.by.id === this.me?.id);
    const error = h('p', { class: 'error' });
    const rows = ASPECTS.map(([key, text]) => {
      const current = mine?.[key];
      const accept = h('input', { type: 'radio', name: `${item.id}-${key}`, value: 'accept', checked: current ? current.stance === 'accept' : true });
      const dispute = h('input', { type: 'radio', name: `${item.id}-${key}`, value: 'dispute', checked: current?.stance === 'dispute' });
      const reason = h('input', { name: `${key}-reason`, placeholder: '理由（有异议时必填）', value: current?.reason ?? '' });
      return { key, row: h('div', { class: 'aspect' }, h('span', {}, text), h('label', {}, accept, '认可'), h('label', {}, dispute, '有异议'), reason), dispute, reason };
    });
    return h('details', { class: 'opinion-form' },
      h('summary', {}, mine ? '修改质证意见' : '发表质证意见'),
      h('form', {
        onsubmit: async (/** @type {SubmitEvent} */ event) => {
          event.preventDefault();
          /** @type {Record<string, Position>} */
          const opinion = {};
          for (const { key, dispute, reason } of rows) opinion[key] = { stance: dispute.checked ? 'dispute' : 'accept', reason: reason.value.trim() };
          try {
            await api('PUT', `/api/evidence/${item.id}/opinion`, { token: this.token, body: opinion });
            this.refresh();
          } catch (e) {
            error.textContent = /** @type {Error} */ (e).message;
          }
        },
      }, rows.map((r) => r.row), error, h('button', { type: 'submit', class: 'secondary' }, '提交质证意见')));
  }

  uploadForm() {
    const file = h('input', { type: 'file', name: 'file', required: true, accept: 'image/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,audio/*,video/*' });
    const title = h('input', { name: 'title', required: true, maxLength: 100, placeholder: '如：借条照片' });
    const purpose = h('textarea', { name: 'purpose', required: true, rows: 2, placeholder: '该证据要证明的事实' });
    const description = h('input', { name: 'description', maxLength: 2000, placeholder: '可选' });
    const counter = h('input', { type: 'checkbox', name: 'counter' });
    this.answers = h('select', { name: 'answers' }, h('option', { value: '' }, '（不指定）'));
    const progress = h('progress', { max: 100, value: 0, hidden: true, class: 'upload-progress' });
    const state = h('span', { class: 'upload-state' });
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', name: 'submit-evidence' }, '提交证据');
    const form = h('form', {
      class: 'upload',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault();
        const chosen = file.files?.[0];
        if (!chosen || !this.token || this.hearingId === undefined) return;
        error.textContent = '';
        submit.disabled = true;
        progress.hidden = false;
        state.textContent = '上传中';
        try {
          await uploadEvidence(this.token, this.hearingId, chosen, {
            title: title.value.trim(),
            description: description.value.trim(),
            purpose: purpose.value.trim(),
            counter: counter.checked,
            answers: counter.checked && this.answers?.value ? this.answers.value : null,
          }, (sent, total) => (progress.value = Math.round((sent * 100) / Math.max(total, 1))));
          state.textContent = '已提交';
          form.reset();
          this.refresh();
        } catch (e) {
          state.textContent = '失败';
          error.textContent = /** @type {Error} */ (e).message;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h3', {}, '提交证据'),
    h('label', {}, '文件（从相册或文件中选择）', file),
    h('label', {}, '证据名称', title),
    h('label', {}, '证明目的', purpose),
    h('label', {}, '说明', description),
    h('label', { class: 'check' }, counter, '反证'),
    h('label', {}, '针对的证据', this.answers),
    h('div', { class: 'inline' }, progress, state),
    error,
    submit);
    return form;
  }

  populateAnswers() {
    if (!this.answers) return;
    const mySide = this.me ? ROLE_SIDES[this.me.role] : '';
    const current = this.answers.value;
    replace(this.answers, h('option', { value: '' }, '（不指定）'),
      (this.items ?? []).filter((i) => i.side !== mySide && !i.withdrawn_at_ms).map((i) => h('option', { value: i.id, selected: i.id === current }, `${SIDE_LABELS[i.side]}：${i.title}`)));
  }
}

customElements.define('ct-evidence-panel', EvidencePanel);
