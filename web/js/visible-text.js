// Text pasted from a web page or a Word file can carry characters nobody sees
// (a soft hyphen, a zero-width space, a control character such as Word's
// vertical tab), or that turn the text around, and a phone's emoji keyboard
// adds variation selectors; the server refuses them in typed text, and nobody
// can find them to delete. Fields leave them out as text arrives, however it
// arrives, so a field holds what it shows.

import { INVISIBLE } from './protocol.js';

/** Control characters, as the server counts them; a text area keeps its line breaks and tabs. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/gu;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/gu;

/** @param {Event} event */
function keepVisible(event) {
  const field = event.target;
  const area = field instanceof HTMLTextAreaElement;
  const typed = area || (field instanceof HTMLInputElement && ['text', 'search'].includes(field.type));
  // An input method's text is taken when it is done (compositionend).
  if (!typed || (event instanceof InputEvent && event.isComposing)) return;
  const shown = (/** @type {string} */ text) => text.replace(INVISIBLE, '').replace(area ? CONTROL_BUT_LINES : CONTROL, '');
  const visible = shown(field.value);
  if (visible === field.value) return;
  const caret = shown(field.value.slice(0, field.selectionEnd ?? field.value.length)).length;
  field.value = visible;
  field.setSelectionRange(caret, caret);
}

// Capturing, so the field's own input handler sees the text as kept.
document.addEventListener('input', keepVisible, true);
document.addEventListener('compositionend', keepVisible, true);
