// Moving between pages: the router in app.js listens for hash changes.

/** @param {string} hash e.g. "#/console" */
export function go(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = hash;
}
