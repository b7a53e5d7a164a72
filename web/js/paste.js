// Text pasted from a web page or a Word file can carry characters nobody sees
// (a soft hyphen, a zero-width space) or that turn the text around, which the
// server refuses in typed text. They are left out as the text is pasted, so
// the field holds what it shows.

import { INVISIBLE } from './protocol.js';

/** @param {ClipboardEvent} event */
function pasteVisible(event) {
  const field = event.target;
  const typed = field instanceof HTMLTextAreaElement || (field instanceof HTMLInputElement && ['text', 'search'].includes(field.type));
  if (!typed) return;
  const text = event.clipboardData?.getData('text/plain') ?? '';
  const visible = text.replace(INVISIBLE, '');
  if (visible === text) return;
  event.preventDefault();
  // insertText keeps the field's undo history and fires its input event.
  if (!document.execCommand('insertText', false, visible)) {
    field.setRangeText(visible, field.selectionStart ?? field.value.length, field.selectionEnd ?? field.value.length, 'end');
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

document.addEventListener('paste', pasteVisible, true);
