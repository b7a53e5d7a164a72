// 语音识别: the panel on the left shows each sentence as it is said, with the
// speaker's role and name (显示角色+语音识别内容): the words so far while someone
// speaks, then the finished sentence. The court (judge, clerk) can tick
// finished sentences and take them into the record (记入笔录) with one action.

import { h, replace } from '../dom.js';
import { label } from '../labels.js';
import { PATHS, path } from '../protocol.js';
import { roomOf } from './context.js';

/** @typedef {import('../protocol.js').Utterance} Utterance */

/** "03:25" from milliseconds since 开始. */
function clock(/** @type {number} */ ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return seconds >= 3600
    ? `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`
    : `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

export class SpeechPanel extends HTMLElement {
  /** @type {Utterance[]} finished sentences in order, then the words so far */
  lines = [];
  /** @type {Set<number>} segments ticked for the record */
  chosen = new Set();
  mayEdit = false;

  connectedCallback() {
    const room = roomOf(this);
    if (!room) return;
    this.room = room;
    this.list = h('ol', { class: 'speech-lines', id: 'speech-lines' });
    this.actions = h('div', { class: 'speech-actions' });
    this.status = h('p', { class: 'meta', role: 'status', id: 'speech-status' });
    replace(this, this.list, this.actions, this.status);
    this.unsubscribe = room.subscribe((state) => {
      // A blocked party sees nothing of what is said.
      if (state.blocked) this.lines = [];
      this.mayEdit = state.mayEdit;
      this.render();
    });
  }

  disconnectedCallback() {
    this.unsubscribe?.();
  }

  hasLines() {
    return this.lines.length > 0;
  }

  /** A `speech` (one line) or `speech_history` (every sentence so far) message. */
  receive(/** @type {any} */ message) {
    if (message.type === 'speech_history') {
      const live = this.lines.filter((l) => !l.is_final);
      this.lines = [...message.utterances];
      for (const line of live) this.hear(line);
    } else {
      this.hear(message.utterance);
    }
    this.render();
    this.room?.render();
  }

  /**
   * A line replaces the line of the same sentence; finished ones stand in the order they were said
   * (a long sentence finishes after a short one said meanwhile), ahead of the words still being spoken.
   */
  hear(/** @type {Utterance} */ line) {
    const at = this.lines.findIndex((l) => l.segment === line.segment);
    if (at >= 0 && this.lines[at].is_final && !line.is_final) return;
    if (at >= 0) this.lines.splice(at, 1);
    if (line.is_final) {
      const after = this.lines.findIndex((l) => !l.is_final || l.start_ms > line.start_ms);
      this.lines.splice(after < 0 ? this.lines.length : after, 0, line);
    } else {
      this.lines.push(line);
    }
  }

  render() {
    if (!this.list || !this.actions) return;
    const wasAtEnd = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    replace(this.list, this.lines.map((line) => h('li', {
      class: line.is_final ? 'speech-line' : 'speech-line partial', dataset: { segment: String(line.segment), final: String(line.is_final) },
    },
    this.mayEdit && line.is_final
      ? h('input', {
        type: 'checkbox', name: 'take', title: '选择后记入笔录', checked: this.chosen.has(line.segment),
        onchange: (/** @type {Event} */ e) => {
          if (/** @type {HTMLInputElement} */ (e.target).checked) this.chosen.add(line.segment);
          else this.chosen.delete(line.segment);
          this.renderActions();
        },
      })
      : null,
    h('span', { class: 'speaker' }, label(line.speaker)),
    h('span', { class: 'at meta' }, clock(line.start_ms)),
    h('span', { class: 'text' }, line.text))));
    if (wasAtEnd) this.list.scrollTop = this.list.scrollHeight;
    this.renderActions();
  }

  renderActions() {
    if (!this.actions) return;
    replace(this.actions, this.mayEdit && this.lines.some((l) => l.is_final)
      ? h('button', { type: 'button', class: 'primary', name: 'take-into-record', disabled: this.chosen.size === 0, onclick: () => this.take() },
        this.chosen.size ? `记入笔录（${this.chosen.size}句）` : '记入笔录')
      : null);
  }

  /** 记入笔录: the ticked sentences become paragraphs with their speakers' roles, as a new version. */
  async take() {
    const room = this.room;
    if (!room || !this.status || this.chosen.size === 0) return;
    const segments = this.lines.filter((l) => l.is_final && this.chosen.has(l.segment)).map((l) => l.segment);
    // The clerk's open editor saves what was typed first, and shows the new version after.
    const editor = /** @type {import('../record/editor.js').RecordEditor|null} */ (document.querySelector('ct-record-editor'));
    if (editor?.locked) {
      this.status.textContent = '笔录正在签名：如需修改，请先在庭审笔录中点击“修改笔录”';
      return;
    }
    try {
      let base;
      if (editor) {
        await editor.save();
        // What was typed and could not be saved stays in the editor, not replaced by the new version.
        if (editor.dirty) {
          this.status.textContent = '笔录有未能保存的修改，请先按提示修改后再记入笔录';
          return;
        }
        base = editor.base;
      } else {
        const view = await room.api('GET', path(PATHS.record, room.hearingId));
        base = view.latest?.version ?? null;
      }
      const saved = await room.api('POST', path(PATHS.recordSpeech, room.hearingId), {
        body: { base_version: base, segments },
      });
      // Typed while the sentences were being added: kept by `load`, which says the record changed.
      await editor?.load();
      this.chosen.clear();
      this.status.textContent = `已记入笔录（第${saved.version}版）`;
      this.render();
    } catch (e) {
      this.status.textContent = /** @type {Error} */ (e).message;
    }
  }
}

customElements.define('ct-speech-panel', SpeechPanel);
