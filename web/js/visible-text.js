// Text pasted from a web page or a Word file can carry characters nobody sees
// (a soft hyphen, a zero-width space), or that turn the text around, and a
// phone's emoji keyboard adds variation selectors; the server refuses them in
// typed text, and nobody can find them to delete. Fields leave them out as
// text arrives, however it arrives, so a field holds what it shows.

import { INVISIBLE } from './protocol.js';

/** @param {Event} event */
function keepVisible(event) {
  const field = event.target;
  const typed = field instanceof HTMLTextAreaElement || (field instanceof HTMLInputElement && ['text', 'search'].includes(field.type));
  // An input method's text is taken when it is done (compositionend).
  if (!typed || (event instanceof InputEvent && event.isComposing)) return;
  const visible = field.value.replace(INVISIBLE, '');
  if (visible === field.value) return;
  const caret = field.value.slice(0, field.selectionEnd ?? field.value.length).replace(INVISIBLE, '').length;
  field.value = visible;
  field.setSelectionRange(caret, caret);
}

// Capturing, so the field's own input handler sees the text as kept.
document.addEventListener('input', keepVisible, true);
document.addEventListener('compositionend', keepVisible, true);
