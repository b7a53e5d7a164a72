// The server's REST API. Failures carry the server's Chinese message.

import { setCourtOffset } from './dom.js';
import { PATHS } from './protocol.js';

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {{token?: string|null, body?: any, raw?: BodyInit, headers?: Record<string, string>}} [options]
 * @returns {Promise<any>}
 */
export async function api(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试');
  }
  const text = await response.text();
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, value?.code ?? 'unknown', value?.message ?? `服务器错误（${response.status}）`);
  }
  return value;
}

/**
 * A file the server holds, as a blob: URL the page can show (the API needs the token).
 * @param {string} path
 * @param {string} token
 * @returns {Promise<string>}
 */
export async function blobUrl(path, token) {
  let response;
  try {
    response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body?.code ?? 'fetch', body?.message ?? '文件加载失败');
  }
  return URL.createObjectURL(await response.blob());
}

/** Times are shown on the court's clock, as its documents show them; the browser's own if the server cannot say. */
export async function learnCourtClock() {
  try {
    const offset = (await api('GET', PATHS.info))?.utc_offset_minutes;
    if (Number.isInteger(offset)) setCourtOffset(offset);
  } catch {
    // Shown in the browser's zone.
  }
}
