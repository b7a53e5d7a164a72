// Building the page without innerHTML: text is always text.

/**
 * Creates an element. Attributes starting with `on` are listeners; `class`,
 * `dataset` and boolean/string attributes are set as expected.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attributes]
 * @param {...(Node|string|number|null|undefined|false|Array<Node|string|null|undefined|false>)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name in element && typeof value !== 'string') {
      /** @type {any} */ (element)[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {any[]} children
 */
function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Replaces an element's children.
 * @param {Element} element
 * @param {...any} children
 */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** The court's offset from UTC in minutes (GET /api/info), once known; until then the browser's own zone. */
let courtOffsetMinutes = /** @type {number|null} */ (null);

/** @param {number} minutes */
export function setCourtOffset(minutes) {
  courtOffsetMinutes = minutes;
}

/** A moment as the court's clock shows it (its documents use the same), whatever the browser's zone. */
function courtClock(/** @type {number} */ ms) {
  if (courtOffsetMinutes === null) {
    const d = new Date(ms);
    return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() };
  }
  const d = new Date(ms + courtOffsetMinutes * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/** "2026-11-25 09:30" from milliseconds, on the court's clock. */
export function formatTime(/** @type {number} */ ms) {
  const t = courtClock(ms);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}

/** "14:05:09", on the court's clock. */
export function formatClockTime(/** @type {number} */ ms) {
  const t = courtClock(ms);
  return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

/** "3.2 MB" */
export function formatSize(/** @type {number} */ bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A SHA-256 as a person reads it: shortened, the whole value in the title,
 * with a button that copies it.
 * @param {string} sha256
 * @param {string} [prefix]
 */
export function hashView(sha256, prefix = 'SHA-256') {
  const copy = h('button', {
    type: 'button', class: 'link copy', title: '复制完整校验值', name: 'copy-hash',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(sha256);
        copy.textContent = '已复制';
      } catch {
        window.prompt('请复制校验值', sha256);
      }
      setTimeout(() => (copy.textContent = '复制'), 1500);
    },
  }, '复制');
  return h('span', { class: 'hash-view', title: sha256, dataset: { sha256 } },
    h('span', { class: 'mono' }, `${prefix} ${sha256.slice(0, 8)}…${sha256.slice(-8)}`), copy);
}

/**
 * Asks before something that cannot be undone; resolves with the answer.
 * @param {{title: string, message: string, confirm: string, danger?: boolean}} question
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, message, confirm, danger = false }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm-dialog', id: 'confirm-dialog' },
      h('h3', {}, title),
      h('p', {}, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', name: 'cancel', onclick: () => dialog.close('cancel') }, '取消'),
        h('button', { type: 'button', name: 'confirm', class: danger ? 'danger' : 'primary', onclick: () => dialog.close('confirm') }, confirm)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
